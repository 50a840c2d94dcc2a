// Applies pages of provider events to the `events` table, one transaction a
// page, appending each real change to `change_log` in the same transaction
// (its snapshot stays in the event row until the row changes: see
// sync/event_json.hpp).
// Idempotent: an upsert whose raw JSON is unchanged writes nothing to the feed,
// a removal of an absent event is a no-op, so replaying a page changes nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "db/fast_statement.hpp"
#include "sync/page_parser.hpp"

namespace calsync {

struct CalendarRef {
    int64_t id = 0;              // calendars.id
    int64_t integration_id = 0;
    std::string provider_id;     // calendars.provider_calendar_id
};

struct ApplyStats {
    int64_t upserts = 0;  // inserted or changed
    int64_t deletes = 0;
    int64_t unchanged = 0;
};

// What to record with a page about the calendar's sync state.
struct CursorUpdate {
    std::optional<std::string> cursor;  // store this sync token / delta link (last page of a round)
    bool finish_full_sync = false;      // delete events not seen in this generation
    std::optional<std::pair<int64_t, int64_t>> window;  // Graph calendarView window of the cursor
};

class EventStore {
public:
    EventStore(Database& db, const CalendarRef& calendar);
    ~EventStore();

    // Starts a full sync: forgets the cursor and takes a new generation
    // (committed at once, so a crashed full sync never reuses one).
    int64_t begin_full_sync(int64_t now);
    // Applies one page in one transaction. `generation` marks every event seen.
    ApplyStats apply(const EventPage& page, int64_t generation, const CursorUpdate& update, int64_t now);
    // Records a failed sync (error text, failure count) without touching events.
    void record_failure(const std::string& error);
    int64_t generation();

private:
    // Copies the event's snapshot into the change_log row that relies on it,
    // unless the row is about to be rewritten with the same raw JSON.
    void keep_snapshot(std::string_view event_id, std::optional<std::string_view> new_raw);
    // Appends a change_log row with this seq (no snapshot: see kV4).
    void log(int64_t seq, std::string_view event_id, const char* op);
    int64_t delete_event(std::string_view event_id);
    int64_t delete_exceptions(std::string_view series_id);

    // Binds the event's values to `st` at the parameter indexes in `at`.
    struct EventParams;
    void bind_event(FastStatement& st, const EventParams& at, const EventRecord& r, int64_t generation,
                    int64_t log_seq);

    Database& db_;
    CalendarRef cal_;
    FastStatement insert_;
    FastStatement update_;
    FastStatement touch_;
    FastStatement keep_;
    FastStatement log_;
    FastStatement delete_;
    std::unique_ptr<EventParams> insert_at_, update_at_;
    int64_t last_seq_ = 0;  // the change log's highest seq, within apply()
    // False when begin_full_sync found the calendar empty: nothing can be stale.
    bool stale_possible_ = true;
};

}  // namespace calsync
