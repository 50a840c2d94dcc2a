// Push notifications (PROTOCOL.md §3 and §5): Google channels
// (events.watch) and Graph subscriptions, and the fan-out from calendar
// changes (CalendarStore listener) to messages in the outbox. The channel and
// subscription records are guarded by state.mu like the rest of State; the
// outbox and the sink have their own locks and send nothing under state.mu.
#pragma once

#include "calendar_model.hpp"
#include "outbox.hpp"
#include "sink.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace emu {

// POST /_control/push/config.
struct PushConfig {
    int duplicate = 0;                // every later notification is sent this many extra times
    int drop = 0;                     // the next N notifications are dropped
    int validation_timeout_ms = 10000;  // Graph's validation handshake
    std::string validation_token;     // "": Graph's usual "Validation: Testing client …" text
};

enum class PushStatus { active, stopped, expired };
std::string_view push_status_name(PushStatus status);

struct GoogleChannel {
    std::string id, resource_id, resource_uri, address;
    std::optional<std::string> token;
    std::string user_id, user_email, client_id, calendar_key, calendar_id;
    Millis created_ms = 0, expires_ms = 0;
    bool stopped = false;
    std::int64_t last_number = 0;  // X-Goog-Message-Number of the last message
    int messages = 0;              // notifications queued (sync included)
    LiveFlag live;

    PushStatus status(Millis now) const;
};

struct GraphSubscription {
    std::string id, user_id, user_email, client_id, resource;
    std::string calendar_key, calendar_id;  // empty: every calendar of the user (me/events)
    std::string change_type;                // as given, e.g. "created,updated,deleted"
    std::string notification_url, lifecycle_url;
    std::optional<std::string> client_state;
    std::string tls_version = "v1_2";
    Millis created_ms = 0, expires_ms = 0;
    bool removed = false;  // DELETE or subscriptionRemoved
    int renewed = 0;
    int messages = 0;  // change items queued
    LiveFlag live;

    PushStatus status(Millis now) const;
    bool wants(std::string_view change) const;
};

enum class CallbackCheck { ok, not_https, invalid };
// https://host/…, or http:// to 127.0.0.1, localhost or [::1] (the emulator's
// allowance: real providers require HTTPS with a valid certificate).
CallbackCheck check_callback_url(const std::string& url);

class Push {
public:
    explicit Push(CalendarStore& store);  // registers the change listener

    // Google. add_channel queues the `sync` message (number 1).
    GoogleChannel& add_channel(GoogleChannel channel);
    GoogleChannel* active_channel(const std::string& id, Millis now);
    void stop(GoogleChannel& channel);
    void send_google(GoogleChannel& channel, const char* resource_state);

    // Graph. `covered`: the calendars the subscription watches now.
    GraphSubscription& add_subscription(GraphSubscription sub, const std::vector<const Calendar*>& covered);
    GraphSubscription* active_subscription(const std::string& id, Millis now);
    void remove(GraphSubscription& sub);
    void send_change(GraphSubscription& sub, const Event& event, std::string_view change_type);
    void send_lifecycle(GraphSubscription& sub, std::string_view lifecycle_event);

    // Stops notifying now; the record stays, as "expired".
    void expire(GoogleChannel& channel, Millis now);
    void expire(GraphSubscription& sub, Millis now);

    const std::vector<std::unique_ptr<GoogleChannel>>& channels() const { return channels_; }
    const std::vector<std::unique_ptr<GraphSubscription>>& subscriptions() const { return subscriptions_; }
    // The newest channel / subscription with this id, whatever its status.
    GoogleChannel* find_channel(const std::string& id);
    GraphSubscription* find_subscription(const std::string& id);

    // Forgets channels, subscriptions, config, queued messages, the log and the sinks.
    void reset();

    PushConfig config;
    Outbox outbox;
    SinkBook sinks;

private:
    void on_change(const Calendar& cal, const Event* event, CalendarStore::Change change);
    // Applies `drop` and `duplicate`, then queues.
    void enqueue_notification(Message message);
    void retire(GoogleChannel& channel);
    void retire(GraphSubscription& sub);

    std::vector<std::unique_ptr<GoogleChannel>> channels_;
    std::vector<std::unique_ptr<GraphSubscription>> subscriptions_;
    // Active ones only, for the per-change lookup (nothing to do for unwatched calendars).
    std::unordered_map<std::string, std::vector<GoogleChannel*>> channels_by_calendar_;
    std::unordered_map<std::string, std::vector<GraphSubscription*>> subscriptions_by_user_;
    // Graph: the calendar sequence already notified, for bulk changes (seed).
    std::unordered_map<std::string, std::uint64_t> graph_seen_;
    std::mt19937_64 rng_;
};

}  // namespace emu
