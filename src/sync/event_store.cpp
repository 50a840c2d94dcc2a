#include "sync/event_store.hpp"

#include "store/change_log.hpp"
#include "sync/event_json.hpp"

namespace calsync {

// Where an event's values go in a statement: its named parameters, looked up
// once, so the insert and the update bind them the same way.
struct EventStore::EventParams {
    int id, status, kind, summary, location, start, end, all_day, start_ts, end_ts, updated, etag,
        recurring_event_id, original_start, recurrence, raw, generation, log_seq;
    explicit EventParams(const FastStatement& st)
        : id(st.index(":id")), status(st.index(":status")), kind(st.index(":kind")),
          summary(st.index(":summary")), location(st.index(":location")), start(st.index(":start")),
          end(st.index(":end")), all_day(st.index(":all_day")), start_ts(st.index(":start_ts")),
          end_ts(st.index(":end_ts")), updated(st.index(":updated")), etag(st.index(":etag")),
          recurring_event_id(st.index(":recurring_event_id")), original_start(st.index(":original_start")),
          recurrence(st.index(":recurrence")), raw(st.index(":raw")), generation(st.index(":generation")),
          log_seq(st.index(":log_seq")) {}
};

EventStore::EventStore(Database& db, const CalendarRef& calendar)
    : db_(db),
      cal_(calendar),
      // New events take the insert (a full sync into an empty calendar: one
      // statement an event); known ones the update, after their snapshot is
      // kept, and only when the raw JSON differs.
      insert_(db.sql(),
              "INSERT INTO events (calendar_id, event_id, status, kind, summary, location, start, \"end\", all_day, "
              "start_ts, end_ts, updated, etag, recurring_event_id, original_start, recurrence, raw, sync_generation, "
              "log_seq) "
              "VALUES (:calendar_id, :id, :status, :kind, :summary, :location, :start, :end, :all_day, :start_ts, "
              ":end_ts, :updated, :etag, :recurring_event_id, :original_start, :recurrence, :raw, :generation, "
              ":log_seq) ON CONFLICT (calendar_id, event_id) DO NOTHING"),
      update_(db.sql(),
              "UPDATE events SET status = :status, kind = :kind, summary = :summary, location = :location, "
              "start = :start, \"end\" = :end, all_day = :all_day, start_ts = :start_ts, end_ts = :end_ts, "
              "updated = :updated, etag = :etag, recurring_event_id = :recurring_event_id, "
              "original_start = :original_start, recurrence = :recurrence, raw = :raw, sync_generation = :generation, "
              "log_seq = :log_seq WHERE calendar_id = :calendar_id AND event_id = :id AND raw IS NOT :raw"),
      touch_(db.sql(), "UPDATE events SET sync_generation = ?1 WHERE calendar_id = ?2 AND event_id = ?3"),
      // No snapshot: the event row holds it (log_seq) until keep_ copies it
      // here, just before the row changes or goes (schema v4).
      keep_(db.sql(), kKeepSnapshotSql),
      log_(db.sql(), "INSERT INTO change_log (seq, integration_id, calendar_id, provider_calendar_id, event_id, op, "
                     "event, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)"),
      delete_(db.sql(), "DELETE FROM events WHERE calendar_id = ?1 AND event_id = ?2"),
      insert_at_(std::make_unique<EventParams>(insert_)),
      update_at_(std::make_unique<EventParams>(update_)) {
    // Bindings survive reset: what is the same for every event is bound once.
    insert_.integer(insert_.index(":calendar_id"), cal_.id);
    update_.integer(update_.index(":calendar_id"), cal_.id);
    log_.integer(2, cal_.integration_id);
    log_.integer(3, cal_.id);
    log_.text(4, cal_.provider_id);  // cal_ lives as long as the statement
}

EventStore::~EventStore() = default;

void EventStore::bind_event(FastStatement& st, const EventParams& at, const EventRecord& r, int64_t generation,
                            int64_t log_seq) {
    st.text(at.id, r.event_id);
    st.text(at.status, r.status);
    st.text(at.kind, r.kind);
    if (r.has_summary) st.text(at.summary, r.summary);
    else st.null(at.summary);
    st.text_or_null(at.location, r.location);
    st.text(at.start, r.start);
    st.text(at.end, r.end);
    st.integer(at.all_day, r.all_day ? 1 : 0);
    st.integer(at.start_ts, r.start_ts);
    st.integer(at.end_ts, r.end_ts);
    st.text_or_null(at.updated, r.updated);
    st.text_or_null(at.etag, r.etag);
    st.text_or_null(at.recurring_event_id, r.recurring_event_id);
    st.text_or_null(at.original_start, r.original_start);
    st.text_or_null(at.recurrence, r.recurrence);
    st.text(at.raw, r.raw);
    st.integer(at.generation, generation);
    st.integer(at.log_seq, log_seq);
}

int64_t EventStore::generation() {
    SQLite::Statement q(db_.sql(), "SELECT sync_generation FROM calendars WHERE id = ?");
    q.bind(1, cal_.id);
    return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

int64_t EventStore::begin_full_sync(int64_t) {
    // No fsync needed: the first page's commit makes this durable too (WAL
    // order), and before it nothing depends on the new generation.
    Database::UnsyncedCommits unsynced(db_);
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE calendars SET sync_cursor = NULL, window_start = NULL, window_end = NULL, "
                        "sync_generation = sync_generation + 1 WHERE id = ?");
    q.bind(1, cal_.id);
    q.exec();
    // A calendar with no events yet (the first sync) can have none left over
    // at the end: the round's last page then skips looking for them, a scan
    // of the whole table (the generation is not indexed).
    SQLite::Statement any(db_.sql(), "SELECT EXISTS (SELECT 1 FROM events WHERE calendar_id = ?)");
    any.bind(1, cal_.id);
    stale_possible_ = any.executeStep() && any.getColumn(0).getInt() != 0;
    tx.commit();
    return generation();
}

void EventStore::keep_snapshot(std::string_view event_id, std::optional<std::string_view> new_raw) {
    keep_.integer(1, cal_.id);
    keep_.text(2, event_id);
    if (new_raw) keep_.text(3, *new_raw);
    else keep_.null(3);
    keep_.exec();
}

void EventStore::log(int64_t seq, std::string_view event_id, const char* op) {
    log_.integer(1, seq);
    log_.text(5, event_id);
    log_.text(6, op);
    log_.exec();
}

int64_t EventStore::delete_event(std::string_view event_id) {
    keep_snapshot(event_id, std::nullopt);
    delete_.integer(1, cal_.id);
    delete_.text(2, event_id);
    int n = delete_.exec();
    if (n > 0) log(++last_seq_, event_id, "delete");
    return n;
}

int64_t EventStore::delete_exceptions(std::string_view series_id) {
    SQLite::Statement children(db_.sql(), "SELECT event_id FROM events WHERE calendar_id = ? AND recurring_event_id = ?");
    children.bind(1, cal_.id);
    children.bind(2, std::string(series_id));
    std::vector<std::string> ids;
    while (children.executeStep()) ids.push_back(children.getColumn(0).getString());
    int64_t n = 0;
    for (const auto& id : ids) n += delete_event(id);
    return n;
}

ApplyStats EventStore::apply(const EventPage& page, int64_t generation, const CursorUpdate& update, int64_t now) {
    ApplyStats stats;
    // Only the page that stores the cursor is fsynced; it makes the round's
    // earlier pages durable too (the WAL is written in order). A power failure
    // before it loses pages, never a cursor past them, so the next sync
    // converges; the change feed hands out only durable changes
    // (DurableSnapshot).
    std::optional<Database::UnsyncedCommits> unsynced;
    if (!update.cursor) unsynced.emplace(db_);
    auto tx = db_.write_transaction();
    log_.integer(7, now);
    // The change log's sequence numbers are taken here, under the write lock,
    // so an upsert can name its change_log row before the row exists.
    const int64_t first_seq = last_seq_ = change_log_last_seq(db_.sql());
    for (const auto& r : page.items) {
        if (r.removed) {
            stats.deletes += delete_event(r.event_id);
            if (page.removal_takes_exceptions) stats.deletes += delete_exceptions(r.event_id);
            continue;
        }
        bind_event(insert_, *insert_at_, r, generation, last_seq_ + 1);
        bool changed = insert_.exec() > 0;
        if (!changed) {
            keep_snapshot(r.event_id, r.raw);
            bind_event(update_, *update_at_, r, generation, last_seq_ + 1);
            changed = update_.exec() > 0;
        }
        if (changed) {
            stats.upserts++;
            log(++last_seq_, r.event_id, "upsert");
        } else {
            stats.unchanged++;
            touch_.integer(1, generation);
            touch_.integer(2, cal_.id);
            touch_.text(3, r.event_id);
            touch_.exec();
        }
    }
    if (update.finish_full_sync && stale_possible_) {
        // Everything the provider no longer has: tombstones first, then delete.
        SQLite::Statement stale(db_.sql(), "SELECT event_id FROM events WHERE calendar_id = ? AND sync_generation < ?");
        stale.bind(1, cal_.id);
        stale.bind(2, generation);
        std::vector<std::string> ids;
        while (stale.executeStep()) ids.push_back(stale.getColumn(0).getString());
        for (const auto& id : ids) stats.deletes += delete_event(id);
    }
    if (last_seq_ != first_seq) set_change_log_last_seq(db_.sql(), last_seq_);
    if (update.cursor) {
        SQLite::Statement c(db_.sql(),
                            "UPDATE calendars SET sync_cursor = ?, last_sync_at = ?, last_error = NULL, failures = 0, "
                            "window_start = COALESCE(?, window_start), window_end = COALESCE(?, window_end), "
                            "last_full_sync_at = CASE WHEN ? THEN ? ELSE last_full_sync_at END WHERE id = ?");
        c.bind(1, *update.cursor);
        c.bind(2, now);
        if (update.window) { c.bind(3, update.window->first); c.bind(4, update.window->second); }
        else { c.bind(3); c.bind(4); }
        c.bind(5, update.finish_full_sync ? 1 : 0);
        c.bind(6, now);
        c.bind(7, cal_.id);
        c.exec();
    }
    tx.commit();
    return stats;
}

void EventStore::record_failure(const std::string& error) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(), "UPDATE calendars SET last_error = ?, failures = failures + 1 WHERE id = ?");
    q.bind(1, error);
    q.bind(2, cal_.id);
    q.exec();
    tx.commit();
}

}  // namespace calsync
