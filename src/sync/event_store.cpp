#include "sync/event_store.hpp"

#include "sync/event_json.hpp"

namespace calsync {

EventStore::EventStore(Database& db, const CalendarRef& calendar)
    : db_(db),
      cal_(calendar),
      upsert_(db.sql(),
              "INSERT INTO events (calendar_id, event_id, status, kind, summary, location, start, \"end\", all_day, "
              "start_ts, end_ts, updated, etag, recurring_event_id, original_start, recurrence, raw, sync_generation) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
              "ON CONFLICT (calendar_id, event_id) DO UPDATE SET status = excluded.status, kind = excluded.kind, "
              "summary = excluded.summary, location = excluded.location, start = excluded.start, "
              "\"end\" = excluded.\"end\", all_day = excluded.all_day, start_ts = excluded.start_ts, "
              "end_ts = excluded.end_ts, updated = excluded.updated, etag = excluded.etag, "
              "recurring_event_id = excluded.recurring_event_id, original_start = excluded.original_start, "
              "recurrence = excluded.recurrence, raw = excluded.raw, sync_generation = excluded.sync_generation "
              "WHERE events.raw IS NOT excluded.raw"),
      touch_(db.sql(), "UPDATE events SET sync_generation = ?1 WHERE calendar_id = ?2 AND event_id = ?3"),
      log_upsert_(db.sql(), std::string("INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, "
                                        "event_id, op, event, at) SELECT c.integration_id, c.id, "
                                        "c.provider_calendar_id, e.event_id, 'upsert', ") +
                                kEventJsonSql + ", ?3 " + kEventJoinSql +
                                " WHERE e.calendar_id = ?1 AND e.event_id = ?2"),
      log_delete_(db.sql(),
                  "INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, event, at) "
                  "VALUES (?1, ?2, ?3, ?4, 'delete', NULL, ?5)"),
      delete_(db.sql(), "DELETE FROM events WHERE calendar_id = ?1 AND event_id = ?2") {}

int64_t EventStore::generation() {
    SQLite::Statement q(db_.sql(), "SELECT sync_generation FROM calendars WHERE id = ?");
    q.bind(1, cal_.id);
    return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

int64_t EventStore::begin_full_sync(int64_t) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE calendars SET sync_cursor = NULL, window_start = NULL, window_end = NULL, "
                        "sync_generation = sync_generation + 1 WHERE id = ?");
    q.bind(1, cal_.id);
    q.exec();
    tx.commit();
    return generation();
}

int64_t EventStore::delete_event(std::string_view event_id, int64_t now) {
    delete_.integer(1, cal_.id);
    delete_.text(2, event_id);
    int n = delete_.exec();
    if (n > 0) {
        log_delete_.integer(1, cal_.integration_id);
        log_delete_.integer(2, cal_.id);
        log_delete_.text(3, cal_.provider_id);
        log_delete_.text(4, event_id);
        log_delete_.integer(5, now);
        log_delete_.exec();
    }
    return n;
}

int64_t EventStore::delete_exceptions(std::string_view series_id, int64_t now) {
    SQLite::Statement children(db_.sql(), "SELECT event_id FROM events WHERE calendar_id = ? AND recurring_event_id = ?");
    children.bind(1, cal_.id);
    children.bind(2, std::string(series_id));
    std::vector<std::string> ids;
    while (children.executeStep()) ids.push_back(children.getColumn(0).getString());
    int64_t n = 0;
    for (const auto& id : ids) n += delete_event(id, now);
    return n;
}

ApplyStats EventStore::apply(const EventPage& page, int64_t generation, const CursorUpdate& update, int64_t now) {
    ApplyStats stats;
    auto tx = db_.write_transaction();
    for (const auto& r : page.items) {
        if (r.removed) {
            stats.deletes += delete_event(r.event_id, now);
            if (page.removal_takes_exceptions) stats.deletes += delete_exceptions(r.event_id, now);
            continue;
        }
        upsert_.integer(1, cal_.id);
        upsert_.text(2, r.event_id);
        upsert_.text(3, r.status);
        upsert_.text(4, r.kind);
        if (r.has_summary) upsert_.text(5, r.summary);
        else upsert_.null(5);
        upsert_.text_or_null(6, r.location);
        upsert_.text(7, r.start);
        upsert_.text(8, r.end);
        upsert_.integer(9, r.all_day ? 1 : 0);
        upsert_.integer(10, r.start_ts);
        upsert_.integer(11, r.end_ts);
        upsert_.text_or_null(12, r.updated);
        upsert_.text_or_null(13, r.etag);
        upsert_.text_or_null(14, r.recurring_event_id);
        upsert_.text_or_null(15, r.original_start);
        upsert_.text_or_null(16, r.recurrence);
        upsert_.text(17, r.raw);
        upsert_.integer(18, generation);
        if (upsert_.exec() > 0) {
            stats.upserts++;
            log_upsert_.integer(1, cal_.id);
            log_upsert_.text(2, r.event_id);
            log_upsert_.integer(3, now);
            log_upsert_.exec();
        } else {
            stats.unchanged++;
            touch_.integer(1, generation);
            touch_.integer(2, cal_.id);
            touch_.text(3, r.event_id);
            touch_.exec();
        }
    }
    if (update.finish_full_sync) {
        // Everything the provider no longer has: tombstones first, then delete.
        SQLite::Statement stale(db_.sql(), "SELECT event_id FROM events WHERE calendar_id = ? AND sync_generation < ?");
        stale.bind(1, cal_.id);
        stale.bind(2, generation);
        std::vector<std::string> ids;
        while (stale.executeStep()) ids.push_back(stale.getColumn(0).getString());
        for (const auto& id : ids) stats.deletes += delete_event(id, now);
    }
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
