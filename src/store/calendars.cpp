#include "store/calendars.hpp"

#include <algorithm>

#include "errors.hpp"
#include "store/change_log.hpp"
#include "sync/event_json.hpp"

namespace calsync {
namespace {

constexpr const char* kColumns =
    "id, integration_id, provider_calendar_id, name, COALESCE(time_zone, ''), is_primary, selected, sync_cursor, "
    "window_start, window_end, last_sync_at, last_full_sync_at, last_error";

std::optional<int64_t> opt_int(const SQLite::Column& c) {
    return c.isNull() ? std::nullopt : std::optional<int64_t>(c.getInt64());
}

Calendar read_row(SQLite::Statement& q) {
    Calendar c;
    c.id = q.getColumn(0).getInt64();
    c.integration_id = q.getColumn(1).getInt64();
    c.provider_calendar_id = q.getColumn(2).getString();
    c.name = q.getColumn(3).getString();
    c.time_zone = q.getColumn(4).getString();
    c.is_primary = q.getColumn(5).getInt() != 0;
    c.selected = q.getColumn(6).getInt() != 0;
    if (!q.getColumn(7).isNull()) c.sync_cursor = q.getColumn(7).getString();
    c.window_start = opt_int(q.getColumn(8));
    c.window_end = opt_int(q.getColumn(9));
    c.last_sync_at = opt_int(q.getColumn(10));
    c.last_full_sync_at = opt_int(q.getColumn(11));
    if (!q.getColumn(12).isNull()) c.last_error = q.getColumn(12).getString();
    return c;
}

}  // namespace

std::vector<Calendar> CalendarStore::list(int64_t integration_id) {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kColumns +
                                       " FROM calendars WHERE integration_id = ? ORDER BY is_primary DESC, name, id");
    q.bind(1, integration_id);
    std::vector<Calendar> out;
    while (q.executeStep()) out.push_back(read_row(q));
    return out;
}

std::optional<Calendar> CalendarStore::find(int64_t integration_id, const std::string& provider_calendar_id) {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kColumns +
                                       " FROM calendars WHERE integration_id = ? AND provider_calendar_id = ?");
    q.bind(1, integration_id);
    q.bind(2, provider_calendar_id);
    if (!q.executeStep()) return std::nullopt;
    return read_row(q);
}

void CalendarStore::remove_events(int64_t calendar_id, int64_t now) {
    int64_t last = change_log_last_seq(db_.sql());
    SQLite::Statement log(db_.sql(),
                          "INSERT INTO change_log (seq, integration_id, calendar_id, provider_calendar_id, event_id, "
                          "op, event, at) SELECT ?1 + row_number() OVER (ORDER BY e.id), c.integration_id, c.id, "
                          "c.provider_calendar_id, e.event_id, 'delete', NULL, ?2 FROM events e JOIN calendars c "
                          "ON c.id = e.calendar_id WHERE c.id = ?3 ORDER BY e.id");
    log.bind(1, last);
    log.bind(2, now);
    log.bind(3, calendar_id);
    if (int n = log.exec(); n > 0) set_change_log_last_seq(db_.sql(), last + n);
    SQLite::Statement keep(db_.sql(), kKeepCalendarSnapshotsSql);
    keep.bind(1, calendar_id);
    keep.exec();
    SQLite::Statement del(db_.sql(), "DELETE FROM events WHERE calendar_id = ?");
    del.bind(1, calendar_id);
    del.exec();
}

void CalendarStore::remove_all(int64_t integration_id, int64_t now) {
    auto tx = db_.write_transaction();
    for (const auto& cal : list(integration_id)) remove_events(cal.id, now);
    SQLite::Statement del(db_.sql(), "DELETE FROM calendars WHERE integration_id = ?");
    del.bind(1, integration_id);
    del.exec();
    tx.commit();
}

void CalendarStore::save_discovered(int64_t integration_id, const std::vector<DiscoveredCalendar>& found,
                                    const std::vector<std::string>& select, int64_t now) {
    auto tx = db_.write_transaction();
    for (const auto& cal : found) {
        bool wanted = select.empty() ? cal.is_primary
                                     : std::find(select.begin(), select.end(), cal.id) != select.end();
        SQLite::Statement q(db_.sql(),
                            "INSERT INTO calendars (integration_id, provider_calendar_id, name, time_zone, is_primary, "
                            "selected, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT (integration_id, provider_calendar_id) DO UPDATE SET name = excluded.name, "
                            "time_zone = excluded.time_zone, is_primary = excluded.is_primary");
        q.bind(1, integration_id);
        q.bind(2, cal.id);
        q.bind(3, cal.name);
        q.bind(4, cal.time_zone);
        q.bind(5, cal.is_primary ? 1 : 0);
        q.bind(6, wanted ? 1 : 0);
        q.bind(7, now);
        q.exec();
    }
    for (const auto& known : list(integration_id)) {
        bool listed = std::any_of(found.begin(), found.end(),
                                  [&](const DiscoveredCalendar& d) { return d.id == known.provider_calendar_id; });
        if (listed) continue;
        remove_events(known.id, now);
        SQLite::Statement del(db_.sql(), "DELETE FROM calendars WHERE id = ?");
        del.bind(1, known.id);
        del.exec();
    }
    tx.commit();
}

void CalendarStore::set_selected(int64_t integration_id, const std::string& provider_calendar_id, bool selected,
                                 int64_t now) {
    auto tx = db_.write_transaction();
    auto cal = find(integration_id, provider_calendar_id);
    if (!cal)
        throw UsageError("integration " + std::to_string(integration_id) + " has no calendar '" + provider_calendar_id +
                         "' (see `calsync calendars " + std::to_string(integration_id) + " --refresh`)");
    if (cal->selected != selected) {
        if (!selected) remove_events(cal->id, now);
        SQLite::Statement q(db_.sql(),
                            "UPDATE calendars SET selected = ?, sync_cursor = NULL, window_start = NULL, "
                            "window_end = NULL WHERE id = ?");
        q.bind(1, selected ? 1 : 0);
        q.bind(2, cal->id);
        q.exec();
    }
    tx.commit();
}

}  // namespace calsync
