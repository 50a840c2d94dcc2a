#include "sync/event_store.hpp"

#include "sync/event_json.hpp"

namespace calsync {

// Where an event's columns go in a statement: named parameters, so the upsert
// and the change-log snapshot bind the same values the same way.
struct EventStore::EventParams {
    int id, status, kind, summary, location, start, end, all_day, updated, etag, recurring_event_id,
        original_start, recurrence;
    explicit EventParams(const FastStatement& st)
        : id(st.index(":id")), status(st.index(":status")), kind(st.index(":kind")),
          summary(st.index(":summary")), location(st.index(":location")), start(st.index(":start")),
          end(st.index(":end")), all_day(st.index(":all_day")), updated(st.index(":updated")),
          etag(st.index(":etag")), recurring_event_id(st.index(":recurring_event_id")),
          original_start(st.index(":original_start")), recurrence(st.index(":recurrence")) {}
};

namespace {

std::string provider_of(Database& db, int64_t integration_id) {
    SQLite::Statement q(db.sql(), "SELECT provider FROM integrations WHERE id = ?");
    q.bind(1, integration_id);
    return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

}  // namespace

EventStore::EventStore(Database& db, const CalendarRef& calendar)
    : db_(db),
      cal_(calendar),
      provider_(provider_of(db, calendar.integration_id)),
      upsert_(db.sql(),
              "INSERT INTO events (calendar_id, event_id, status, kind, summary, location, start, \"end\", all_day, "
              "start_ts, end_ts, updated, etag, recurring_event_id, original_start, recurrence, raw, sync_generation) "
              "VALUES (:calendar_id, :id, :status, :kind, :summary, :location, :start, :end, :all_day, :start_ts, "
              ":end_ts, :updated, :etag, :recurring_event_id, :original_start, :recurrence, :raw, :generation) "
              "ON CONFLICT (calendar_id, event_id) DO UPDATE SET status = excluded.status, kind = excluded.kind, "
              "summary = excluded.summary, location = excluded.location, start = excluded.start, "
              "\"end\" = excluded.\"end\", all_day = excluded.all_day, start_ts = excluded.start_ts, "
              "end_ts = excluded.end_ts, updated = excluded.updated, etag = excluded.etag, "
              "recurring_event_id = excluded.recurring_event_id, original_start = excluded.original_start, "
              "recurrence = excluded.recurrence, raw = excluded.raw, sync_generation = excluded.sync_generation "
              "WHERE events.raw IS NOT excluded.raw"),
      touch_(db.sql(), "UPDATE events SET sync_generation = ?1 WHERE calendar_id = ?2 AND event_id = ?3"),
      // The snapshot from the values the upsert just wrote (the same SQL
      // function over the same values as reading the row back, without the read).
      log_upsert_(db.sql(), "INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, "
                            "event, at) VALUES (:integration, :calendar_id, :calendar, :id, 'upsert', " +
                                kEventJsonParamsSql + ", :at)"),
      log_delete_(db.sql(),
                  "INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, event, at) "
                  "VALUES (?1, ?2, ?3, ?4, 'delete', NULL, ?5)"),
      delete_(db.sql(), "DELETE FROM events WHERE calendar_id = ?1 AND event_id = ?2"),
      upsert_at_(std::make_unique<EventParams>(upsert_)),
      log_at_(std::make_unique<EventParams>(log_upsert_)) {
    // Bindings survive reset: what is the same for every event is bound once.
    upsert_.integer(upsert_.index(":calendar_id"), cal_.id);
    log_upsert_.integer(log_upsert_.index(":calendar_id"), cal_.id);
    log_upsert_.integer(log_upsert_.index(":integration"), cal_.integration_id);
    log_upsert_.text(log_upsert_.index(":calendar"), cal_.provider_id);
    log_upsert_.text(log_upsert_.index(":provider"), provider_);
    upsert_start_ts_ = upsert_.index(":start_ts");
    upsert_end_ts_ = upsert_.index(":end_ts");
    upsert_raw_ = upsert_.index(":raw");
    upsert_generation_ = upsert_.index(":generation");
    log_time_ = log_upsert_.index(":at");
}

EventStore::~EventStore() = default;

void EventStore::bind_event(FastStatement& st, const EventParams& at, const EventRecord& r) {
    st.text(at.id, r.event_id);
    st.text(at.status, r.status);
    st.text(at.kind, r.kind);
    if (r.has_summary) st.text(at.summary, r.summary);
    else st.null(at.summary);
    st.text_or_null(at.location, r.location);
    st.text(at.start, r.start);
    st.text(at.end, r.end);
    st.integer(at.all_day, r.all_day ? 1 : 0);
    st.text_or_null(at.updated, r.updated);
    st.text_or_null(at.etag, r.etag);
    st.text_or_null(at.recurring_event_id, r.recurring_event_id);
    st.text_or_null(at.original_start, r.original_start);
    st.text_or_null(at.recurrence, r.recurrence);
}

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
        bind_event(upsert_, *upsert_at_, r);
        upsert_.integer(upsert_start_ts_, r.start_ts);
        upsert_.integer(upsert_end_ts_, r.end_ts);
        upsert_.text(upsert_raw_, r.raw);
        upsert_.integer(upsert_generation_, generation);
        if (upsert_.exec() > 0) {
            stats.upserts++;
            bind_event(log_upsert_, *log_at_, r);
            log_upsert_.integer(log_time_, now);
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
