// Microsoft Graph subscriptions (PROTOCOL.md §5): create with the
// validation handshake, get, list, renew (PATCH), delete and reauthorize, for
// event resources (me/events, users/{me}/events, me/calendars/{id}/events).
// The change and lifecycle notifications come from Push (push.cpp).
#include "auth.hpp"
#include "civil_time.hpp"
#include "crypto/crypto.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "push.hpp"
#include "routes.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cctype>

namespace emu {
namespace {

constexpr Millis kMaxLifetimeMs = 10080LL * 60 * 1000;  // Outlook events: 10,080 minutes
constexpr Millis kMinLifetimeMs = 45LL * 60 * 1000;     // shorter requests are raised to 45 minutes
constexpr std::size_t kMaxClientState = 128;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

void invalid_request(const httplib::Request& req, httplib::Response& res, const std::string& message) {
    send_graph_error(req, res, 400, "InvalidRequest", message);
}

void not_found(const httplib::Request& req, httplib::Response& res) {
    send_graph_error(req, res, 404, "ResourceNotFound", "The object was not found.");
}

std::optional<Json> read_body(const httplib::Request& req, httplib::Response& res) {
    try {
        Json body = Json::parse(req.body);
        if (body.is_object()) return body;
    } catch (const std::exception&) {
    }
    send_graph_error(req, res, 400, "BadRequest",
                     "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is "
                     "of valid JSON format.");
    return std::nullopt;
}

// The expiry Graph grants for `expirationDateTime`: nullopt with `error` set
// when the value is missing, malformed, past or beyond the maximum; raised
// to 45 minutes when shorter.
std::optional<Millis> granted_expiry(const Json& body, Millis now, std::string& error) {
    if (!body.contains("expirationDateTime") || !body["expirationDateTime"].is_string()) {
        error = "expirationDateTime is a required property for subscription creation.";
        return std::nullopt;
    }
    std::string text = body["expirationDateTime"].get<std::string>();
    auto seconds = calsync::parse_rfc3339(text);
    if (!seconds) seconds = calsync::parse_rfc3339(text + "Z");  // no offset: UTC
    if (!seconds) {
        error = "Invalid expirationDateTime '" + text + "'.";
        return std::nullopt;
    }
    Millis t = *seconds * 1000;
    if (t <= now) {
        error = "Subscription expiration must be in the future.";
        return std::nullopt;
    }
    if (t > now + kMaxLifetimeMs) {
        error = "Subscription expiration can only be 10080 minutes in the future.";
        return std::nullopt;
    }
    return std::max(t, now + kMinLifetimeMs);
}

// Each of created, updated, deleted at most once, comma-separated.
bool valid_change_type(const std::string& text) {
    std::vector<std::string> seen;
    size_t pos = 0;
    while (true) {
        size_t comma = text.find(',', pos);
        std::string part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (part != "created" && part != "updated" && part != "deleted") return false;
        if (std::find(seen.begin(), seen.end(), part) != seen.end()) return false;
        seen.push_back(part);
        if (comma == std::string::npos) return true;
        pos = comma + 1;
    }
}

// .NET's WebUtility.UrlEncode, which Graph uses: spaces as '+', lower-case hex.
std::string dotnet_url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '*' || c == '(' || c == ')') {
            out += char(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string status_name(int status) {
    switch (status) {
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "NoContent";
    case 301: return "MovedPermanently";
    case 302: return "Found";
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 500: return "InternalServerError";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    default: return std::to_string(status);
    }
}

// POSTs `token` to `url` as Graph does and checks the answer: 200,
// text/plain, the decoded token exactly, within `timeout_ms`. Returns "" on
// success, else Graph's error message. Logged as a `validation` delivery.
std::string handshake(Outbox& outbox, const std::string& url, const std::string& token, int timeout_ms,
                      const std::string& subscription_id) {
    std::string target = url + (url.find('?') == std::string::npos ? "?" : "&") +
                         "validationToken=" + dotnet_url_encode(token);
    Attempt attempt;
    attempt.t_ms = now_ms();
    SendResult sent = http_post(target, {}, "", "text/plain; charset=utf-8", timeout_ms);
    std::string error;
    std::string content_type = lower(sent.content_type);
    bool plain = content_type.rfind("text/plain", 0) == 0 &&
                 (content_type.size() == 10 || content_type[10] == ';' || content_type[10] == ' ');
    if (sent.timed_out || sent.ms > timeout_ms) {
        error = "Subscription validation request timed out.";
    } else if (sent.status == 0) {
        error = "Subscription validation request failed. Notification endpoint must respond with 200 OK to "
                "validation request.";
    } else if (sent.status != 200) {
        error = "Subscription validation request failed. HTTP status code is '" + status_name(sent.status) +
                "'. Notification endpoint must respond with 200 OK to validation request.";
    } else if (!plain) {
        error = "Subscription validation request failed. Response Content-Type must be text/plain.";
    } else if (sent.body != token) {
        error = "Subscription validation request failed. Response must exactly match validationToken query parameter.";
    }
    attempt.kind = DeliveryKind::validation;
    attempt.target = subscription_id;
    attempt.url = url;
    attempt.status = sent.status;
    attempt.error = error.empty() ? sent.error : error;
    attempt.ms = sent.ms;
    outbox.record(std::move(attempt));
    return error;
}

// `with_client_state`: only the create response shows it; GET, PATCH and
// list answer null, as Graph does.
Json subscription_json(const std::string& base_url, const GraphSubscription& s, bool with_client_state) {
    auto or_null = [](const std::string& v) { return v.empty() ? Json(nullptr) : Json(v); };
    return {{"@odata.context", base_url + "/graph/v1.0/$metadata#subscriptions/$entity"},
            {"id", s.id},
            {"resource", s.resource},
            {"applicationId", s.client_id},
            {"changeType", s.change_type},
            {"clientState", with_client_state && s.client_state ? Json(*s.client_state) : Json(nullptr)},
            {"notificationUrl", s.notification_url},
            {"notificationQueryOptions", nullptr},
            {"lifecycleNotificationUrl", or_null(s.lifecycle_url)},
            {"expirationDateTime", format_millis7(s.expires_ms)},
            {"creatorId", s.user_id},
            {"includeResourceData", nullptr},
            {"latestSupportedTlsVersion", s.tls_version},
            {"encryptionCertificate", nullptr},
            {"encryptionCertificateId", nullptr},
            {"notificationUrlAppId", nullptr},
            {"notificationContentType", "application/json"}};
}

// The calendars a resource covers, into `sub` (calendar_key empty: all of
// the user's). On failure writes the error and returns false. Expects state.mu held.
bool resolve_resource(State& state, const User& user, GraphSubscription& sub, const httplib::Request& req,
                      httplib::Response& res, std::vector<const Calendar*>& covered) {
    std::string path = sub.resource;
    if (!path.empty() && path.front() == '/') path.erase(0, 1);
    std::string folded = lower(path);
    bool all = folded == "me/events";
    if (folded.rfind("users/", 0) == 0 && folded.size() > 13 && folded.substr(folded.size() - 7) == "/events" &&
        folded.find('/', 6) == folded.size() - 7) {
        std::string who = folded.substr(6, folded.size() - 13);
        if (who != lower(user.id) && who != lower(user.email)) {
            send_graph_error(req, res, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
            return false;
        }
        all = true;
    }
    CalendarStore& store = *state.calendars;
    if (all) {
        for (Calendar* cal : store.calendars_of(user)) covered.push_back(cal);
        return true;
    }
    if (folded.rfind("me/calendars/", 0) == 0 && folded.size() > 20 && folded.substr(folded.size() - 7) == "/events") {
        std::string id = path.substr(13, path.size() - 20);
        Calendar* cal = id.find('/') == std::string::npos ? store.find(user, id) : nullptr;
        if (!cal) {
            send_graph_error(req, res, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
            return false;
        }
        sub.calendar_key = cal->key;
        sub.calendar_id = cal->id;
        covered.push_back(cal);
        return true;
    }
    invalid_request(req, res, "Resource '" + sub.resource + "' is not supported for subscriptions of this emulator.");
    return false;
}

// Checks the fields of a create request into `sub`; writes the error and
// returns false on the first bad one.
bool read_create_request(const Json& body, GraphSubscription& sub, const httplib::Request& req,
                         httplib::Response& res) {
    auto text = [&](const char* key) -> std::optional<std::string> {
        if (!body.contains(key) || !body[key].is_string()) return std::nullopt;
        return body[key].get<std::string>();
    };
    auto change_type = text("changeType");
    if (!change_type || change_type->empty()) {
        invalid_request(req, res, "changeType is a required property for subscription creation.");
        return false;
    }
    if (!valid_change_type(*change_type)) {
        invalid_request(req, res, "Invalid 'changeType' attribute: '" + *change_type + "'.");
        return false;
    }
    sub.change_type = *change_type;
    for (auto [key, field] : {std::pair{"notificationUrl", &sub.notification_url},
                              std::pair{"lifecycleNotificationUrl", &sub.lifecycle_url}}) {
        auto url = text(key);
        bool required = field == &sub.notification_url;
        if (!url && !required && (!body.contains(key) || body[key].is_null())) continue;
        if (!url || url->empty()) {
            invalid_request(req, res, std::string(key) + " is a required property for subscription creation.");
            return false;
        }
        CallbackCheck check = check_callback_url(*url);
        if (check != CallbackCheck::ok) {
            invalid_request(req, res,
                            check == CallbackCheck::not_https
                                ? "The " + std::string(key) + " must be an HTTPS URL: '" + *url + "'."
                                : "Invalid " + std::string(key) + ": '" + *url + "'.");
            return false;
        }
        *field = *url;
    }
    auto resource = text("resource");
    if (!resource || resource->empty()) {
        invalid_request(req, res, "resource is a required property for subscription creation.");
        return false;
    }
    sub.resource = *resource;
    if (body.contains("clientState") && !body["clientState"].is_null()) {
        auto state = text("clientState");
        if (!state || state->size() > kMaxClientState) {
            invalid_request(req, res, "clientState must be a string of at most 128 characters.");
            return false;
        }
        sub.client_state = *state;
    }
    if (body.contains("latestSupportedTlsVersion") && !body["latestSupportedTlsVersion"].is_null()) {
        auto tls = text("latestSupportedTlsVersion");
        if (!tls || (*tls != "v1_0" && *tls != "v1_1" && *tls != "v1_2" && *tls != "v1_3")) {
            invalid_request(req, res, "Invalid latestSupportedTlsVersion.");
            return false;
        }
        sub.tls_version = *tls;
    }
    if (body.value("includeResourceData", false)) {
        invalid_request(req, res, "includeResourceData needs an encryptionCertificate; the emulator does not support it.");
        return false;
    }
    return true;
}

void create(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::graph);
    if (!who || !require_scope(*who, req, res, Api::graph, kGraphCalendarScopes)) return;
    auto body = read_body(req, res);
    if (!body) return;
    GraphSubscription sub;
    if (!read_create_request(*body, sub, req, res)) return;

    // Check what needs the state, then shake hands without the lock.
    std::string token, base_url;
    int timeout_ms = 0;
    Outbox* outbox = nullptr;
    {
        std::lock_guard lock(state.mu);
        User* user = state.user(who->user_id);
        if (!user) return not_found(req, res);
        std::vector<const Calendar*> covered;
        if (!resolve_resource(state, *user, sub, req, res, covered)) return;
        std::string error;
        auto expiry = granted_expiry(*body, now_ms(), error);
        if (!expiry) return invalid_request(req, res, error);
        sub.expires_ms = *expiry;
        const PushConfig& config = state.push->config;
        timeout_ms = config.validation_timeout_ms;
        token = config.validation_token.empty()
                    ? "Validation: Testing client application reachability for subscription Request-Id: " +
                          calsync::random_uuid()
                    : config.validation_token;
        outbox = &state.push->outbox;
        base_url = state.base_url;
    }
    sub.id = calsync::random_uuid();
    for (const std::string* url : {&sub.notification_url, &sub.lifecycle_url}) {
        if (url->empty()) continue;
        std::string error = handshake(*outbox, *url, token, timeout_ms, sub.id);
        if (!error.empty()) return invalid_request(req, res, error);
    }

    Json reply;
    {
        std::lock_guard lock(state.mu);
        User* user = state.user(who->user_id);
        if (!user) return not_found(req, res);  // reset meanwhile
        std::vector<const Calendar*> covered;
        if (!sub.calendar_key.empty()) {
            covered.push_back(state.calendars->by_key(sub.calendar_key));
        } else {
            for (Calendar* cal : state.calendars->calendars_of(*user)) covered.push_back(cal);
        }
        if (std::find(covered.begin(), covered.end(), nullptr) != covered.end()) return not_found(req, res);
        Millis now = now_ms();
        sub.user_id = who->user_id;
        sub.user_email = who->email;
        sub.client_id = who->client_id;
        sub.created_ms = now;
        sub.expires_ms = std::max(sub.expires_ms, now + kMinLifetimeMs);
        reply = subscription_json(base_url, state.push->add_subscription(std::move(sub), covered), true);
    }
    send_json(res, 201, reply);
}

// The caller's live subscription `id`, or nullptr after writing 404 (unknown,
// expired, deleted, or another app's or user's). Expects state.mu held.
GraphSubscription* owned(State& state, const Principal& who, const httplib::Request& req, httplib::Response& res) {
    GraphSubscription* sub = state.push->active_subscription(req.matches[1].str(), now_ms());
    if (!sub || sub->user_id != who.user_id || sub->client_id != who.client_id) {
        not_found(req, res);
        return nullptr;
    }
    return sub;
}

// GET, PATCH, DELETE /subscriptions/{id} and POST …/reauthorize.
void one(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::graph);
    if (!who || !require_scope(*who, req, res, Api::graph, kGraphCalendarScopes)) return;
    std::optional<Json> body;
    if (req.method == "PATCH" && !(body = read_body(req, res))) return;
    Json reply;
    {
        std::lock_guard lock(state.mu);
        GraphSubscription* sub = owned(state, *who, req, res);
        if (!sub) return;
        if (req.method == "DELETE") {
            state.push->remove(*sub);
        } else if (req.method == "POST") {  // reauthorize
        } else if (req.method == "PATCH") {
            if (body->contains("lifecycleNotificationUrl"))
                return invalid_request(req, res, "lifecycleNotificationUrl cannot be updated; recreate the subscription.");
            for (const auto& [key, value] : body->items()) {
                if (key != "expirationDateTime")
                    return invalid_request(req, res, "The emulator only updates expirationDateTime, not " + key + ".");
            }
            std::string error;
            auto expiry = granted_expiry(*body, now_ms(), error);
            if (!expiry) return invalid_request(req, res, error);
            sub->expires_ms = *expiry;
            ++sub->renewed;
            reply = subscription_json(state.base_url, *sub, false);
        } else {
            reply = subscription_json(state.base_url, *sub, false);
        }
    }
    if (reply.is_null()) {
        res.status = 204;
        return;
    }
    send_json(res, 200, reply);
}

void list(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::graph);
    if (!who || !require_scope(*who, req, res, Api::graph, kGraphCalendarScopes)) return;
    Json value = Json::array();
    std::string base_url;
    {
        std::lock_guard lock(state.mu);
        base_url = state.base_url;
        Millis now = now_ms();
        for (const auto& sub : state.push->subscriptions()) {
            if (sub->user_id != who->user_id || sub->client_id != who->client_id) continue;
            if (sub->status(now) != PushStatus::active) continue;
            Json item = subscription_json(base_url, *sub, false);
            item.erase("@odata.context");
            value.push_back(std::move(item));
        }
    }
    send_json(res, 200, Json{{"@odata.context", base_url + "/graph/v1.0/$metadata#subscriptions"}, {"value", value}});
}

}  // namespace

void register_graph_subscriptions(httplib::Server& server, State& state) {
    auto single = [&state](const auto& req, auto& res) { one(state, req, res); };
    provider_post(server, "/graph/v1.0/subscriptions", [&state](const auto& req, auto& res) { create(state, req, res); });
    provider_get(server, "/graph/v1.0/subscriptions", [&state](const auto& req, auto& res) { list(state, req, res); });
    provider_get(server, "/graph/v1.0/subscriptions/([^/]+)", single);
    provider_patch(server, "/graph/v1.0/subscriptions/([^/]+)", single);
    provider_delete(server, "/graph/v1.0/subscriptions/([^/]+)", single);
    provider_post(server, "/graph/v1.0/subscriptions/([^/]+)/reauthorize", single);
}

}  // namespace emu
