// The emulated calendars: per-user calendars holding events, series masters,
// exceptions and tombstones, each calendar with its own change sequence.
// Every modification goes through CalendarStore::insert/touch/tombstone,
// which assigns the next sequence number, a new etag and `updated` time and
// tells the change listeners (push notifications hook in there). Lives in
// State and is guarded by state.mu like everything else.
#pragma once

#include "recurrence.hpp"
#include "state.hpp"
#include "sync_tokens.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace emu {

enum class EventStatus { confirmed, tentative, cancelled };
std::string_view status_name(EventStatus status);

// A series' timing before its start, end or rule changed. Graph needs it to
// report the occurrences that vanished as @removed.
struct SeriesShape {
    SeriesTiming timing;
    RecurrenceRule rule;
    std::uint64_t replaced_seq = 0;
};

struct Event {
    std::string id;
    std::string ical_uid;  // empty: derived from the id (see event_ical_uid)
    EventStatus status = EventStatus::confirmed;  // cancelled: a cancelled occurrence (exception)
    bool deleted = false;                         // a tombstone: deleted, or moved to another calendar
    std::optional<std::string> summary, location, description;
    bool all_day = false;
    UnixSeconds start = 0, end = 0;  // all-day: 00:00 UTC of the first day, of the day after the last
    std::string time_zone;           // IANA zone the times are shown in
    std::vector<std::string> recurrence;  // Google's lines; non-empty for a series master
    std::optional<RecurrenceRule> rule;   // parsed `recurrence`
    std::string recurring_event_id;       // an exception: its series master
    UnixSeconds original_start = 0;       // an exception: the occurrence it replaces
    int sequence = 0;
    Millis created_ms = 0, updated_ms = 0;
    std::uint64_t etag_clock = 0;  // strictly increasing across the store; etags derive from it
    std::uint64_t seq = 0;         // the calendar's change sequence at the last modification
    std::uint64_t serial = 0;      // order of arrival in the calendar (churn picks by it, not by id)
    std::vector<SeriesShape> prior_shapes;

    bool is_series() const { return rule.has_value(); }
    bool is_exception() const { return !recurring_event_id.empty(); }
    SeriesTiming timing() const { return {start, end - start, all_day, time_zone}; }
};

struct Calendar {
    std::string key;  // "google|<id>" or "microsoft|<id>": unique in the store
    Provider provider = Provider::google;
    std::string owner_id, owner_email, owner_name;
    std::string id, name, time_zone;
    bool primary = false;
    std::uint64_t seq = 0;    // bumps on every event modification
    std::uint64_t epoch = 0;  // bumps on /_control/sync/expire
    std::uint64_t ids_issued = 0;
    std::uint64_t arrivals = 0;  // last Event::serial
    Millis updated_ms = 0;
    std::map<std::string, Event> events;           // by id, tombstones included
    std::map<std::string, Event>::iterator last_inserted = events.end();
    // seq -> event (nodes of `events` never move); each event under its latest seq only.
    std::map<std::uint64_t, Event*> changes;
    // Live exceptions: master id -> original start -> exception id.
    std::unordered_map<std::string, std::map<UnixSeconds, std::string>> exceptions;

    const Event* find_live(const std::string& event_id) const;
    Event* find_live(const std::string& event_id);
};

class CalendarStore {
public:
    // The user's calendars, the primary (created on first use) first.
    std::vector<Calendar*> calendars_of(const User& user);
    Calendar& primary(const User& user);
    // By provider id, or "primary"; nullptr when the user has no such calendar.
    Calendar* find(const User& user, std::string_view id);
    Calendar* by_key(const std::string& key);
    // A secondary calendar; `id` empty: a provider-shaped one is made up.
    Calendar& create(const User& user, std::string id, std::string name, std::string time_zone);

    // Deterministic per calendar (ids are drawn from a counter), so seeded
    // state and churn are reproducible.
    std::string new_event_id(Calendar& cal);
    // Google: "<master>_20261124T090000Z" / "<master>_20261124"; Graph: an
    // opaque id, stable per (series, original start).
    std::string occurrence_id(const Calendar& cal, const std::string& master_id, UnixSeconds original_start,
                              bool all_day) const;

    // Adds or replaces a live event and records the change. Events inserted
    // in id order land next to the previous one without a tree walk (seed).
    Event& insert(Calendar& cal, Event event, Millis now, bool notify = true);
    // Records a modification of an event already in `cal`.
    void touch(Calendar& cal, Event& event, Millis now, bool notify = true);
    // Turns the event into a tombstone (kept so change listings report it).
    void tombstone(Calendar& cal, Event& event, Millis now, bool notify = true);

    // Called with state.mu held after changes to a calendar: `event` is the
    // record that changed (inserted, modified or tombstoned), or nullptr with
    // Change::bulk after a batch of silent changes (seed).
    enum class Change { created, updated, deleted, bulk };
    using Listener = std::function<void(const Calendar&, const Event* event, Change change)>;
    void add_listener(Listener listener) { listeners_.push_back(std::move(listener)); }
    void notify(const Calendar& cal, const Event* event = nullptr, Change change = Change::bulk);

    // Forgets calendars and tokens; listeners stay.
    void clear();

    SyncTokens tokens;

private:
    std::map<std::string, std::unique_ptr<Calendar>> calendars_;  // by key
    std::unordered_map<std::string, std::vector<Calendar*>> by_owner_;
    std::uint64_t etag_clock_ = 0;
    std::vector<Listener> listeners_;
};

// The event's iCalUID: occurrences and exceptions share their series'.
std::string event_ical_uid(Provider provider, const Event& event);

// Stable 64-bit hash (FNV-1a) and mixer for deterministic ids and seeds.
std::uint64_t stable_hash(std::string_view text);
std::uint64_t mix64(std::uint64_t x);

}  // namespace emu
