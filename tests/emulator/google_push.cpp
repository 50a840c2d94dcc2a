// Google Calendar push (PROTOCOL.md §3): events.watch creates a channel on
// one calendar and queues its `sync` message; channels.stop ends it. The
// notifications themselves come from Push (push.cpp).
#include "auth.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "push.hpp"
#include "routes.hpp"
#include "util/encoding.hpp"

namespace emu {
namespace {

constexpr Millis kMaxLifetimeMs = 7LL * 24 * 3600 * 1000;  // what third-party emulators observe; Google's is undocumented
constexpr std::int64_t kDefaultTtlSeconds = 604800;
constexpr std::size_t kMaxIdLength = 64, kMaxTokenLength = 256;

void send_error(httplib::Response& res, int status, std::string_view reason, const std::string& message) {
    send_json(res, status, google_api_error_body(status, reason, message));
}

// Stable per calendar and opaque, like Google's (27 base64url characters).
std::string resource_id(const Calendar& cal) {
    std::uint64_t a = stable_hash("resource|" + cal.key), b = mix64(a), c = mix64(b);
    std::string raw;
    for (std::uint64_t v : {a, b, c}) {
        for (int i = 0; i < 8; ++i) raw += char((v >> (8 * i)) & 0xff);
    }
    return calsync::base64url_encode(raw.substr(0, 20));
}

// Google's channel ids: [A-Za-z0-9-_+/=]{1,64}.
bool valid_channel_id(const std::string& id) {
    return calsync::is_identifier(id, kMaxIdLength, "-_+/=");
}

// Unix ms as a JSON number or a string of digits (Google writes int64 as strings).
std::optional<Millis> read_millis(const Json& value) {
    if (value.is_number_integer()) return value.get<Millis>();
    if (!value.is_string()) return std::nullopt;
    std::string text = value.get<std::string>();
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoll(text);
}

// Parses the JSON body; on failure writes Google's 400 and returns nullopt.
std::optional<Json> read_body(const httplib::Request& req, httplib::Response& res) {
    try {
        Json body = Json::parse(req.body);
        if (body.is_object()) return body;
    } catch (const std::exception&) {
    }
    send_error(res, 400, "parseError", "Parse Error");
    return std::nullopt;
}

std::optional<std::string> string_field(const Json& body, const char* key) {
    if (!body.contains(key) || !body[key].is_string()) return std::nullopt;
    return body[key].get<std::string>();
}

void watch(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::google_api);
    if (!who || !require_scope(*who, req, res, Api::google_api, kGoogleEventScopes)) return;
    auto body = read_body(req, res);
    if (!body) return;

    GoogleChannel channel;
    auto id = string_field(*body, "id");
    if (!id || id->empty()) return send_error(res, 400, "required", "Required");
    if (!valid_channel_id(*id))
        return send_error(res, 400, "invalid", "Invalid channel id: at most 64 characters of [A-Za-z0-9-_+/=].");
    channel.id = *id;
    auto type = string_field(*body, "type");
    if (!type) return send_error(res, 400, "required", "Required");
    if (*type != "web_hook" && *type != "webhook")
        return send_error(res, 400, "invalid", "Invalid value for channel type: " + *type);
    auto address = string_field(*body, "address");
    if (!address || address->empty()) return send_error(res, 400, "required", "Required");
    switch (check_callback_url(*address)) {
    case CallbackCheck::ok: break;
    case CallbackCheck::not_https:
        return send_error(res, 400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS: " + *address);
    case CallbackCheck::invalid:
        return send_error(res, 400, "push.webhookUrlUnauthorized", "Unauthorized WebHook callback channel: " + *address);
    }
    channel.address = *address;
    if (body->contains("token") && !(*body)["token"].is_null()) {
        auto token = string_field(*body, "token");
        if (!token || token->size() > kMaxTokenLength)
            return send_error(res, 400, "invalid", "Channel token must be a string of at most 256 characters.");
        channel.token = *token;
    }
    std::optional<Millis> requested;
    if (body->contains("expiration") && !(*body)["expiration"].is_null()) {
        requested = read_millis((*body)["expiration"]);
        if (!requested) return send_error(res, 400, "invalid", "Invalid value for: expiration");
    }
    std::int64_t ttl = kDefaultTtlSeconds;
    if (body->contains("params") && (*body)["params"].is_object() && (*body)["params"].contains("ttl")) {
        auto value = read_millis((*body)["params"]["ttl"]);  // the same digits rule, in seconds
        if (!value || *value < 1) return send_error(res, 400, "invalid", "Invalid value for: params.ttl");
        ttl = std::min<std::int64_t>(*value, kMaxLifetimeMs / 1000);
    }

    Json reply;
    {
        std::lock_guard lock(state.mu);
        Millis now = now_ms();
        if (requested && *requested <= now)
            return send_error(res, 400, "invalid", "Invalid value for: expiration (it is in the past)");
        User* user = state.user(who->user_id);
        Calendar* cal = user ? state.calendars->find(*user, req.matches[1].str()) : nullptr;
        if (!cal) return send_error(res, 404, "notFound", "Not Found");
        Push& push = *state.push;
        if (push.active_channel(channel.id, now))
            return send_error(res, 400, "channelIdNotUnique", "Channel id " + channel.id + " not unique");
        channel.resource_id = resource_id(*cal);
        channel.resource_uri = state.base_url + "/google/calendar/v3/calendars/" +
                               calsync::url_encode(req.matches[1].str()) + "/events?alt=json";
        channel.user_id = who->user_id;
        channel.user_email = who->email;
        channel.client_id = who->client_id;
        channel.calendar_key = cal->key;
        channel.calendar_id = cal->id;
        channel.created_ms = now;
        channel.expires_ms = std::min(now + ttl * 1000, now + kMaxLifetimeMs);
        if (requested) channel.expires_ms = std::min(channel.expires_ms, *requested);
        const GoogleChannel& created = push.add_channel(std::move(channel));
        reply = {{"kind", "api#channel"},
                 {"id", created.id},
                 {"resourceId", created.resource_id},
                 {"resourceUri", created.resource_uri}};
        if (created.token) reply["token"] = *created.token;
        reply["expiration"] = std::to_string(created.expires_ms);
    }
    send_json(res, 200, reply);
}

void stop(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::google_api);
    if (!who || !require_scope(*who, req, res, Api::google_api, kGoogleEventScopes)) return;
    auto body = read_body(req, res);
    if (!body) return;
    auto id = string_field(*body, "id");
    auto resource = string_field(*body, "resourceId");
    if (!id || id->empty() || !resource || resource->empty()) return send_error(res, 400, "required", "Required");
    {
        std::lock_guard lock(state.mu);
        Push& push = *state.push;
        GoogleChannel* channel = push.active_channel(*id, now_ms());
        // Channels belong to the project (OAuth client): another client's look unknown.
        if (!channel || channel->resource_id != *resource || channel->client_id != who->client_id)
            return send_error(res, 404, "notFound",
                              "Channel '" + *id + "' not found for project '" + who->client_id + "'");
        if (channel->user_id != who->user_id)
            return send_error(res, 403, "forbidden", "The channel was created by another user.");
        push.stop(*channel);
    }
    res.status = 204;
}

}  // namespace

void register_google_push(httplib::Server& server, State& state) {
    provider_post(server, R"(/google/calendar/v3/calendars/([^/]+)/events/watch)",
                  [&state](const auto& req, auto& res) { watch(state, req, res); });
    provider_post(server, "/google/calendar/v3/channels/stop",
                  [&state](const auto& req, auto& res) { stop(state, req, res); });
}

}  // namespace emu
