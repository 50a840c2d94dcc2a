// Control routes over push notifications (/_control/push/…): list channels
// and subscriptions, misbehave (duplicate, drop, slow validation), send
// notifications and lifecycle events on demand, expire, wait for the outbox
// and read the delivery log.
#include "control.hpp"
#include "civil_time.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "push.hpp"

namespace emu {
namespace {

constexpr int kMaxNotifyCount = 10000;

Json or_null(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }
Json or_null(const std::string& v) { return v.empty() ? Json(nullptr) : Json(v); }

Json channel_json(const GoogleChannel& c, Millis now) {
    return {{"provider", "google"},
            {"id", c.id},
            {"user", c.user_email},
            {"calendar", c.calendar_id},
            {"resource_id", c.resource_id},
            {"resource_uri", c.resource_uri},
            {"address", c.address},
            {"token", or_null(c.token)},
            {"expiration", format_millis(c.expires_ms)},
            {"expiration_ms", c.expires_ms},
            {"state", push_status_name(c.status(now))},
            {"created", format_millis(c.created_ms)},
            {"renewed", 0},
            {"messages", c.messages},
            {"last_message_number", c.last_number}};
}

Json subscription_json(const GraphSubscription& s, Millis now) {
    return {{"provider", "microsoft"},
            {"id", s.id},
            {"user", s.user_email},
            {"calendar", or_null(s.calendar_id)},
            {"resource", s.resource},
            {"change_type", s.change_type},
            {"notification_url", s.notification_url},
            {"lifecycle_notification_url", or_null(s.lifecycle_url)},
            {"client_state", or_null(s.client_state)},
            {"application_id", s.client_id},
            {"expiration", format_millis(s.expires_ms)},
            {"expiration_ms", s.expires_ms},
            {"state", push_status_name(s.status(now))},
            {"created", format_millis(s.created_ms)},
            {"renewed", s.renewed},
            {"messages", s.messages}};
}

Json list_channels(State& state, const httplib::Request& req) {
    std::string provider = param(req, "provider"), email = param(req, "email");
    Millis now = now_ms();
    Json out = Json::array();
    for (const auto& c : state.push->channels()) {
        if ((provider.empty() || provider == "google") && (email.empty() || email == c->user_email))
            out.push_back(channel_json(*c, now));
    }
    for (const auto& s : state.push->subscriptions()) {
        if ((provider.empty() || provider == "microsoft") && (email.empty() || email == s->user_email))
            out.push_back(subscription_json(*s, now));
    }
    return out;
}

Json config_json(const PushConfig& c) {
    return {{"duplicate", c.duplicate},
            {"drop", c.drop},
            {"validation_timeout_ms", c.validation_timeout_ms},
            {"validation_token", c.validation_token}};
}

int read_int(const Json& body, const char* key, int fallback, int min, int max) {
    if (!body.contains(key)) return fallback;
    if (!body[key].is_number_integer() || body[key].get<std::int64_t>() < min || body[key].get<std::int64_t>() > max)
        throw ControlError(400, std::string("\"") + key + "\" must be an integer from " + std::to_string(min) +
                                    " to " + std::to_string(max));
    return body[key].get<int>();
}

Json configure(State& state, const Json& body) {
    PushConfig next = state.push->config;
    next.duplicate = read_int(body, "duplicate", next.duplicate, 0, 1000);
    next.drop = read_int(body, "drop", next.drop, 0, 1000000);
    next.validation_timeout_ms = read_int(body, "validation_timeout_ms", next.validation_timeout_ms, 1, 600000);
    if (body.contains("validation_token")) {
        if (!body["validation_token"].is_string()) throw ControlError(400, "\"validation_token\" must be a string");
        next.validation_token = body["validation_token"].get<std::string>();
    }
    state.push->config = next;
    return config_json(next);
}

// An event of the subscription's calendars to report as `updated`.
const Event* some_event(State& state, const GraphSubscription& sub) {
    std::vector<Calendar*> calendars;
    if (!sub.calendar_key.empty()) {
        calendars.push_back(state.calendars->by_key(sub.calendar_key));
    } else if (User* user = state.user(sub.user_id)) {
        calendars = state.calendars->calendars_of(*user);
    }
    for (Calendar* cal : calendars) {
        if (!cal) continue;
        for (const auto& [id, event] : cal->events) {
            if (!event.deleted) return &event;
        }
    }
    return nullptr;
}

Json notify(State& state, const Json& body) {
    std::string id = need_string(body, "id");
    int count = read_int(body, "count", 1, 1, kMaxNotifyCount);
    Push& push = *state.push;
    Millis now = now_ms();
    if (GoogleChannel* channel = push.active_channel(id, now)) {
        for (int i = 0; i < count; ++i) push.send_google(*channel, "exists");
        return {{"provider", "google"}, {"sent", count}, {"last_message_number", channel->last_number}};
    }
    if (GraphSubscription* sub = push.active_subscription(id, now)) {
        const Event* event = some_event(state, *sub);
        if (!event) throw ControlError(409, "the subscribed calendars have no event to report");
        for (int i = 0; i < count; ++i) push.send_change(*sub, *event, "updated");
        return {{"provider", "microsoft"}, {"sent", count}, {"event_id", event->id}};
    }
    throw ControlError(404, "no active channel or subscription " + id);
}

Json lifecycle(State& state, const Json& body) {
    std::string id = need_string(body, "subscription");
    std::string event = need_string(body, "event");
    if (event != "reauthorizationRequired" && event != "subscriptionRemoved" && event != "missed")
        throw ControlError(400, "\"event\" must be reauthorizationRequired, subscriptionRemoved or missed");
    Push& push = *state.push;
    Millis now = now_ms();
    GraphSubscription* sub = push.active_subscription(id, now);
    if (!sub) throw ControlError(404, "no active subscription " + id);
    bool sent = !sub->lifecycle_url.empty();
    if (sent) push.send_lifecycle(*sub, event);
    if (event == "subscriptionRemoved") push.remove(*sub);
    return {{"sent", sent}, {"subscription", subscription_json(*sub, now)}};
}

Json expire(State& state, const Json& body) {
    std::string id = need_string(body, "id");
    Push& push = *state.push;
    Millis now = now_ms();
    if (GoogleChannel* channel = push.active_channel(id, now)) {
        push.expire(*channel, now);
        return channel_json(*channel, now);
    }
    if (GraphSubscription* sub = push.active_subscription(id, now)) {
        push.expire(*sub, now);
        return subscription_json(*sub, now);
    }
    throw ControlError(404, "no active channel or subscription " + id);
}

Json deliveries(State& state, const httplib::Request& req) {
    std::string kind = param(req, "kind"), id = param(req, "id");
    Json out = Json::array();
    for (const auto& a : state.push->outbox.attempts()) {
        std::string_view name = delivery_kind_name(a.kind);
        if (!kind.empty() && kind != name) continue;
        if (!id.empty() && ("," + a.target + ",").find("," + id + ",") == std::string::npos) continue;
        out.push_back({{"t_ms", a.t_ms},
                       {"kind", name},
                       {"id", a.target},
                       {"url", a.url},
                       {"number", a.number ? Json(a.number) : Json(nullptr)},
                       {"attempt", a.attempt},
                       {"items", a.items},
                       {"status", a.status},
                       {"error", or_null(a.error)},
                       {"ms", a.ms}});
    }
    return out;
}

Json counts_json(const OutboxCounts& c) {
    return {{"pending", c.pending},
            {"delivered", c.delivered},
            {"failed", c.failed},
            {"dropped", c.dropped},
            {"skipped", c.skipped}};
}

// Flush waits for the outbox, which may be delivering to the sink: it must
// not hold state.mu, so it is not a control_route.
void flush(Outbox& outbox, const httplib::Request& req, httplib::Response& res) {
    try {
        Json body = req.body.empty() ? Json::object() : Json::parse(req.body);
        int timeout_ms = read_int(body, "timeout_ms", 5000, 0, 600000);
        send_json(res, 200, counts_json(outbox.flush(timeout_ms)));
    } catch (const ControlError& e) {
        send_json(res, e.status, Json{{"error", e.what()}});
    } catch (const std::exception& e) {
        send_json(res, 400, Json{{"error", e.what()}});
    }
}

}  // namespace

void register_control_push(httplib::Server& server, State& state) {
    control_route(server, state, "GET", "/push/channels",
                  [&state](const Json&, const auto& req) { return list_channels(state, req); });
    control_route(server, state, "GET", "/push/config",
                  [&state](const Json&, const auto&) { return config_json(state.push->config); });
    control_route(server, state, "POST", "/push/config",
                  [&state](const Json& body, const auto&) { return configure(state, body); });
    control_route(server, state, "POST", "/push/notify",
                  [&state](const Json& body, const auto&) { return notify(state, body); });
    control_route(server, state, "POST", "/push/lifecycle",
                  [&state](const Json& body, const auto&) { return lifecycle(state, body); });
    control_route(server, state, "POST", "/push/expire",
                  [&state](const Json& body, const auto&) { return expire(state, body); });
    control_route(server, state, "GET", "/push/deliveries",
                  [&state](const Json&, const auto& req) { return deliveries(state, req); });
    control_route(server, state, "DELETE", "/push/deliveries", [&state](const Json&, const auto&) {
        state.push->outbox.clear_attempts();
        return Json{{"ok", true}};
    });
    control_route(server, state, "GET", "/push/outbox",
                  [&state](const Json&, const auto&) { return counts_json(state.push->outbox.counts()); });
    Outbox& outbox = state.push->outbox;
    server.Post("/_control/push/flush",
                with_body([&outbox](const httplib::Request& req, httplib::Response& res) { flush(outbox, req, res); }));
}

}  // namespace emu
