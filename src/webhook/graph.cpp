// POST /microsoft and /microsoft/lifecycle (PROTOCOL §5): the validation
// handshake, and batches of change and lifecycle notifications. Items from
// unknown subscriptions or with the wrong clientState are dropped, but a
// well-formed batch is always answered 202: Graph throttles endpoints that
// answer 4xx, which would delay the genuine notifications too.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <optional>

#include "crypto/crypto.hpp"
#include "store/webhooks.hpp"
#include "util/encoding.hpp"
#include "webhook/routes.hpp"

namespace calsync::webhook {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxValidationToken = 1024;  // decoded bytes; Graph's are about 100
constexpr int kMaxDepth = 32;                 // Graph items nest 3 deep

// 200 text/plain with exactly the decoded token (an encoded echo fails).
Response validation(const std::string& token) {
    if (token.empty()) return reply(400, "empty validationToken");
    if (token.size() > kMaxValidationToken) return reply(400, "validationToken too long");
    Response r;
    r.content_type = "text/plain";
    r.body = token;
    return r;
}

bool is_json_media_type(std::string_view content_type) {
    auto type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    constexpr std::string_view kJson = "application/json";
    if (type.size() != kJson.size()) return false;
    for (size_t i = 0; i < type.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) return false;
    return true;
}

// Discarded on a syntax error or nesting past kMaxDepth (which would make
// later recursion over the value unsafe).
Json parse_limited(const std::string& body) {
    bool too_deep = false;
    Json doc = Json::parse(
        body,
        [&](int depth, Json::parse_event_t, Json&) {
            if (depth > kMaxDepth) too_deep = true;
            return !too_deep;
        },
        false);
    return too_deep ? Json(Json::value_t::discarded) : doc;
}

std::string text_field(const Json& item, const char* name) {
    auto it = item.find(name);
    return it != item.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// The item as a queue row, or nullopt (logged) when it must be dropped.
std::optional<Notification> accept_item(const Json& item, size_t index, WebhookStore& store) {
    std::string subscription = item.is_object() ? text_field(item, "subscriptionId") : std::string{};
    auto drop = [&](const char* why) -> std::optional<Notification> {
        std::string which = subscription.empty() ? "" : " (subscription " + loggable(subscription) + ")";
        spdlog::warn("microsoft: dropped item {}{}: {}", index, which, why);
        return std::nullopt;
    };
    if (!item.is_object()) return drop("not an object");
    if (subscription.empty()) return drop("no subscriptionId");
    std::string lifecycle = text_field(item, "lifecycleEvent");
    std::string state = lifecycle.empty() ? text_field(item, "changeType") : lifecycle;
    if (state.empty() || state.size() > 64) return drop("no usable changeType or lifecycleEvent");

    auto channel = store.find_channel("microsoft", subscription);
    if (!channel) return drop("unknown subscription");
    std::string digest = sha256_hex(text_field(item, "clientState"));
    if (!constant_time_equal(digest, channel->secret_digest)) return drop("clientState does not match");

    Json payload = item;
    payload.erase("clientState");
    return Notification{"microsoft", subscription, std::nullopt, lifecycle.empty() ? "change" : "lifecycle", state,
                        payload.dump(-1, ' ', false, Json::error_handler_t::replace), digest};
}

}  // namespace

Response graph_notification(const Request& request, ReceiverServices& services) {
    if (auto token = find_param(parse_query(request.query), "validationToken")) return validation(*token);
    if (!is_json_media_type(request.content_type)) return reply(415, "expected Content-Type application/json");
    Json doc = parse_limited(request.body);
    if (doc.is_discarded()) return reply(400, "malformed JSON");
    auto value = doc.is_object() ? doc.find("value") : doc.end();
    if (!doc.is_object() || value == doc.end() || !value->is_array()) return reply(400, "not a notification batch");

    WebhookStore store(services.database());
    std::vector<Notification> accepted;
    for (size_t i = 0; i < value->size(); ++i)
        if (auto n = accept_item((*value)[i], i, store)) accepted.push_back(std::move(*n));
    int64_t added = store.enqueue(accepted, services.now());
    Response res = reply(202, "accepted " + std::to_string(accepted.size()) + " of " + std::to_string(value->size()));
    res.items = int64_t(value->size());
    res.queued = added;
    return res;
}

}  // namespace calsync::webhook
