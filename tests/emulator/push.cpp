#include "push.hpp"

#include "calendar_render.hpp"
#include "civil_time.hpp"
#include "crypto/crypto.hpp"
#include "json_writer.hpp"
#include "provider_errors.hpp"

#include <algorithm>
#include <cctype>

namespace emu {
namespace {

constexpr std::size_t kMaxBulkItems = 100;  // Graph items for one bulk change (seed)
constexpr const char* kGoogleUserAgent = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)";

template <typename T>
void unindex(std::unordered_map<std::string, std::vector<T*>>& index, const std::string& key, T* item) {
    auto it = index.find(key);
    if (it == index.end()) return;
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), item), list.end());
    if (list.empty()) index.erase(it);
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// What a change of `event` means for Graph: an insert is `created`, a
// tombstone `deleted`, a cancelled occurrence too, anything else `updated`.
std::string_view graph_change(const Event& event, CalendarStore::Change change) {
    if (change == CalendarStore::Change::deleted || event.deleted) return "deleted";
    if (event.is_exception() && event.status == EventStatus::cancelled) return "deleted";
    return change == CalendarStore::Change::updated ? "updated" : "created";
}

}  // namespace

std::string_view push_status_name(PushStatus status) {
    switch (status) {
    case PushStatus::active: return "active";
    case PushStatus::stopped: return "stopped";
    case PushStatus::expired: return "expired";
    }
    return "active";
}

PushStatus GoogleChannel::status(Millis now) const {
    if (stopped) return PushStatus::stopped;
    return expires_ms <= now ? PushStatus::expired : PushStatus::active;
}

PushStatus GraphSubscription::status(Millis now) const {
    if (removed) return PushStatus::stopped;
    return expires_ms <= now ? PushStatus::expired : PushStatus::active;
}

bool GraphSubscription::wants(std::string_view change) const {
    size_t pos = 0;
    while (pos <= change_type.size()) {
        size_t comma = change_type.find(',', pos);
        if (comma == std::string::npos) comma = change_type.size();
        if (std::string_view(change_type).substr(pos, comma - pos) == change) return true;
        pos = comma + 1;
    }
    return false;
}

CallbackCheck check_callback_url(const std::string& url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return CallbackCheck::invalid;
    std::string scheme = lower(url.substr(0, scheme_end));
    std::string authority = url.substr(scheme_end + 3, url.find_first_of("/?#", scheme_end + 3) - scheme_end - 3);
    if (authority.find('@') != std::string::npos) return CallbackCheck::invalid;
    std::string host = authority;
    if (!host.empty() && host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    host = lower(host);
    if (host.empty() || host.find_first_of(" \t\r\n") != std::string::npos) return CallbackCheck::invalid;
    if (scheme == "https") return CallbackCheck::ok;
    if (scheme != "http") return CallbackCheck::invalid;
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]" ? CallbackCheck::ok : CallbackCheck::not_https;
}

Push::Push(CalendarStore& store) : rng_(std::random_device{}()) {
    store.add_listener([this](const Calendar& cal, const Event* event, CalendarStore::Change change) {
        on_change(cal, event, change);
    });
}

// ---- Google -----------------------------------------------------------------

GoogleChannel& Push::add_channel(GoogleChannel channel) {
    channel.live = std::make_shared<std::atomic<bool>>(true);
    channels_.push_back(std::make_unique<GoogleChannel>(std::move(channel)));
    GoogleChannel& stored = *channels_.back();
    channels_by_calendar_[stored.calendar_key].push_back(&stored);
    send_google(stored, "sync");
    return stored;
}

GoogleChannel* Push::active_channel(const std::string& id, Millis now) {
    GoogleChannel* channel = find_channel(id);
    if (!channel || channel->status(now) != PushStatus::active) return nullptr;
    return channel;
}

GoogleChannel* Push::find_channel(const std::string& id) {
    for (auto it = channels_.rbegin(); it != channels_.rend(); ++it) {
        if ((*it)->id == id) return it->get();
    }
    return nullptr;
}

void Push::stop(GoogleChannel& channel) {
    channel.stopped = true;
    retire(channel);
}

void Push::retire(GoogleChannel& channel) {
    channel.live->store(false);
    unindex(channels_by_calendar_, channel.calendar_key, &channel);
}

// The sync message is number 1; later ones grow by 1 to 5, as Google's are
// increasing but not sequential.
void Push::send_google(GoogleChannel& channel, const char* resource_state) {
    std::string state = resource_state;
    channel.last_number =
        state == "sync" ? 1 : channel.last_number + 1 + std::int64_t(std::uniform_int_distribution<int>(0, 4)(rng_));
    ++channel.messages;
    Message m;
    m.kind = DeliveryKind::google;
    m.url = channel.address;
    m.headers = {{"User-Agent", kGoogleUserAgent},
                 {"X-Goog-Channel-ID", channel.id},
                 {"X-Goog-Channel-Expiration", http_date(channel.expires_ms)},
                 {"X-Goog-Message-Number", std::to_string(channel.last_number)},
                 {"X-Goog-Resource-ID", channel.resource_id},
                 {"X-Goog-Resource-State", state},
                 {"X-Goog-Resource-URI", channel.resource_uri}};
    if (channel.token) m.headers.emplace("X-Goog-Channel-Token", *channel.token);
    m.content_type = "application/json; charset=UTF-8";
    m.target = channel.id;
    m.number = channel.last_number;
    m.live = channel.live;
    m.expires_ms = channel.expires_ms;
    enqueue_notification(std::move(m));
}

// ---- Graph ------------------------------------------------------------------

GraphSubscription& Push::add_subscription(GraphSubscription sub, const std::vector<const Calendar*>& covered) {
    sub.live = std::make_shared<std::atomic<bool>>(true);
    subscriptions_.push_back(std::make_unique<GraphSubscription>(std::move(sub)));
    GraphSubscription& stored = *subscriptions_.back();
    subscriptions_by_user_[stored.user_id].push_back(&stored);
    for (const Calendar* cal : covered) graph_seen_[cal->key] = cal->seq;
    return stored;
}

GraphSubscription* Push::active_subscription(const std::string& id, Millis now) {
    GraphSubscription* sub = find_subscription(id);
    if (!sub || sub->status(now) != PushStatus::active) return nullptr;
    return sub;
}

GraphSubscription* Push::find_subscription(const std::string& id) {
    for (auto it = subscriptions_.rbegin(); it != subscriptions_.rend(); ++it) {
        if ((*it)->id == id) return it->get();
    }
    return nullptr;
}

void Push::remove(GraphSubscription& sub) {
    sub.removed = true;
    retire(sub);
}

void Push::retire(GraphSubscription& sub) {
    sub.live->store(false);
    unindex(subscriptions_by_user_, sub.user_id, &sub);
}

void Push::send_change(GraphSubscription& sub, const Event& event, std::string_view change_type) {
    std::string resource = concat({"Users/", sub.user_id, "/Events/", event.id});
    JsonWriter w;
    w.begin_object().field("id", calsync::random_hex(10)).field("subscriptionId", sub.id);
    w.field("subscriptionExpirationDateTime", format_millis7(sub.expires_ms));
    w.field_or_null("clientState", sub.client_state ? &*sub.client_state : nullptr);
    w.field("changeType", change_type).field("resource", resource).field("tenantId", kMicrosoftTenantId);
    w.key("resourceData").begin_object().field("@odata.type", "#Microsoft.Graph.Event");
    w.field("@odata.id", resource).field("@odata.etag", graph_etag(event)).field("id", event.id);
    w.end_object().end_object();
    ++sub.messages;
    Message m;
    m.kind = DeliveryKind::graph;
    m.url = sub.notification_url;
    m.content_type = "application/json; charset=utf-8";
    m.body = w.take();
    m.target = sub.id;
    m.live = sub.live;
    m.expires_ms = sub.expires_ms;
    enqueue_notification(std::move(m));
}

void Push::send_lifecycle(GraphSubscription& sub, std::string_view lifecycle_event) {
    JsonWriter w;
    w.begin_object().key("value").begin_array().begin_object();
    w.field("subscriptionId", sub.id).field("subscriptionExpirationDateTime", format_millis7(sub.expires_ms));
    w.field("tenantId", kMicrosoftTenantId);
    w.field_or_null("clientState", sub.client_state ? &*sub.client_state : nullptr);
    w.field("lifecycleEvent", lifecycle_event);
    w.end_object().end_array().end_object();
    Message m;
    m.kind = DeliveryKind::lifecycle;
    m.url = sub.lifecycle_url;
    m.content_type = "application/json; charset=utf-8";
    m.body = w.take();
    m.target = sub.id;
    outbox.enqueue(std::move(m));
}

// ---- Both -------------------------------------------------------------------

void Push::expire(GoogleChannel& channel, Millis now) {
    channel.expires_ms = std::min(channel.expires_ms, now);
    retire(channel);
}

void Push::expire(GraphSubscription& sub, Millis now) {
    sub.expires_ms = std::min(sub.expires_ms, now);
    retire(sub);
}

void Push::enqueue_notification(Message message) {
    if (config.drop > 0) {
        --config.drop;
        Attempt dropped;
        dropped.t_ms = now_ms();
        dropped.kind = message.kind;
        dropped.target = message.target;
        dropped.url = message.url;
        dropped.number = message.number;
        dropped.attempt = 0;
        dropped.error = "dropped";
        outbox.record(std::move(dropped));
        outbox.count_dropped();
        return;
    }
    for (int i = 0; i < config.duplicate; ++i) outbox.enqueue(message);
    outbox.enqueue(std::move(message));
}

// Runs under state.mu for every change. Calendars nobody watches cost two
// hash lookups.
void Push::on_change(const Calendar& cal, const Event* event, CalendarStore::Change change) {
    if (channels_by_calendar_.empty() && subscriptions_by_user_.empty()) return;
    Millis now = now_ms();
    if (auto it = channels_by_calendar_.find(cal.key); it != channels_by_calendar_.end()) {
        std::vector<GoogleChannel*> watching = it->second;  // retire() edits the index
        for (GoogleChannel* channel : watching) {
            if (channel->status(now) != PushStatus::active) {
                retire(*channel);
            } else {
                send_google(*channel, "exists");
            }
        }
    }
    auto it = subscriptions_by_user_.find(cal.owner_id);
    if (it == subscriptions_by_user_.end()) return;
    std::vector<GraphSubscription*> watching = it->second;
    // The records to report: the one that changed, or (bulk) the newest of those
    // changed since the last notification.
    std::vector<std::pair<const Event*, std::string_view>> changed;
    if (event) {
        changed.emplace_back(event, graph_change(*event, change));
    } else {
        std::uint64_t seen = graph_seen_.count(cal.key) ? graph_seen_[cal.key] : 0;
        for (auto c = cal.changes.rbegin(); c != cal.changes.rend() && c->first > seen; ++c) {
            if (changed.size() == kMaxBulkItems) break;
            changed.emplace_back(c->second, graph_change(*c->second, CalendarStore::Change::created));
        }
        std::reverse(changed.begin(), changed.end());
    }
    graph_seen_[cal.key] = cal.seq;
    for (GraphSubscription* sub : watching) {
        if (!sub->calendar_key.empty() && sub->calendar_key != cal.key) continue;
        if (sub->status(now) != PushStatus::active) {
            retire(*sub);
            continue;
        }
        for (const auto& [record, kind] : changed) {
            if (sub->wants(kind)) send_change(*sub, *record, kind);
        }
    }
}

void Push::reset() {
    for (auto& channel : channels_) channel->live->store(false);
    for (auto& sub : subscriptions_) sub->live->store(false);
    channels_.clear();
    subscriptions_.clear();
    channels_by_calendar_.clear();
    subscriptions_by_user_.clear();
    graph_seen_.clear();
    config = PushConfig{};
    outbox.clear();
    sinks.clear();
}

}  // namespace emu
