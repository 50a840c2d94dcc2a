// POST /google: a Google Calendar push notification (PROTOCOL §3). The
// notification is all headers; the channel must be known, watch the resource
// it names, and present the channel token whose digest we stored.
#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "store/webhooks.hpp"
#include "webhook/routes.hpp"

namespace calsync::webhook {
namespace {

const std::string* header(const Request& r, std::string_view name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? nullptr : &it->second;
}

// Ids Google echoes back: printable ASCII without spaces.
bool is_id(std::string_view v, size_t max) {
    if (v.empty() || v.size() > max) return false;
    for (char c : v)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

bool is_number(std::string_view v) {
    if (v.empty() || v.size() > 20) return false;
    for (char c : v)
        if (c < '0' || c > '9') return false;
    return true;
}

// What process-queue may want to see, without the token.
std::string payload(const Request& r) {
    nlohmann::json p = {
        {"channel_id", *header(r, "X-Goog-Channel-ID")},
        {"resource_id", *header(r, "X-Goog-Resource-ID")},
        {"resource_state", *header(r, "X-Goog-Resource-State")},
        {"message_number", *header(r, "X-Goog-Message-Number")},
    };
    if (auto* uri = header(r, "X-Goog-Resource-URI")) p["resource_uri"] = *uri;
    if (auto* exp = header(r, "X-Goog-Channel-Expiration")) p["channel_expiration"] = *exp;
    return p.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

constexpr std::string_view kRequired[] = {"X-Goog-Channel-ID", "X-Goog-Resource-ID", "X-Goog-Resource-State",
                                          "X-Goog-Message-Number"};

// Why the headers are unusable, or "" when they are fine.
std::string check_headers(const Request& r) {
    for (auto name : kRequired)
        if (!header(r, name)) return "missing " + std::string(name);
    if (!is_id(*header(r, "X-Goog-Channel-ID"), 256)) return "malformed X-Goog-Channel-ID";
    if (!is_id(*header(r, "X-Goog-Resource-ID"), 256)) return "malformed X-Goog-Resource-ID";
    if (!is_number(*header(r, "X-Goog-Message-Number"))) return "malformed X-Goog-Message-Number";
    const std::string& state = *header(r, "X-Goog-Resource-State");
    if (state != "sync" && state != "exists" && state != "not_exists") return "unknown X-Goog-Resource-State";
    return {};
}

}  // namespace

Response google_notification(const Request& request, ReceiverServices& services) {
    if (auto why = check_headers(request); !why.empty()) return reply(400, why);
    const std::string& channel_id = *header(request, "X-Goog-Channel-ID");
    const std::string& state = *header(request, "X-Goog-Resource-State");

    WebhookStore store(services.database());
    auto channel = store.find_channel("google", channel_id);
    if (!channel) return reply(404, "unknown channel");
    if (channel->resource_id != *header(request, "X-Goog-Resource-ID"))
        return reply(403, "resource id does not match the channel");
    const std::string* token = header(request, "X-Goog-Channel-Token");
    std::string digest = sha256_hex(token ? *token : std::string{});
    if (!constant_time_equal(digest, channel->secret_digest)) return reply(403, "bad token");

    Notification n{"google", channel_id, *header(request, "X-Goog-Message-Number"),
                   state == "sync" ? "sync" : "change", state, payload(request), digest};
    int64_t added = store.enqueue({n}, services.now());
    Response res = reply(200, added ? "queued" : "already queued");
    res.items = 1;
    res.queued = added;
    return res;
}

}  // namespace calsync::webhook
