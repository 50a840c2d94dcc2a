// The one definition of an event as output: the SQL expression that builds the
// JSON object of SPEC §4 (`events --json`, `changes --json`) from a row of
// `events` joined with its calendar and integration. Its fields are listed
// once, below. Extend, never rename.
//
// The change feed's snapshots use the same expression (snapshot on
// supersede, schema v4): a change_log upsert row stores no JSON while the
// event row still holds exactly that state (events.log_seq = its seq).
// Everything that changes or deletes an event row runs kKeepSnapshotSql or
// kKeepCalendarSnapshotsSql first, in the same transaction, to copy the JSON
// into the change_log row. kChangeEventSql reads either.
#pragma once

#include <string>
#include <string_view>

namespace calsync {

struct EventJsonField {
    std::string_view key;
    std::string_view column;  // over the aliases e (events), c (calendars), i (integrations)
};

inline constexpr EventJsonField kEventJsonFields[] = {
    {"integration", "c.integration_id"},
    {"provider", "i.provider"},
    {"calendar", "c.provider_calendar_id"},
    {"id", "e.event_id"},
    {"status", "e.status"},
    {"kind", "e.kind"},
    {"summary", "e.summary"},
    {"location", "e.location"},
    {"start", "e.start"},
    {"end", "e.\"end\""},
    {"all_day", "json(CASE WHEN e.all_day THEN 'true' ELSE 'false' END)"},
    {"updated", "e.updated"},
    {"etag", "e.etag"},
    {"recurring_event_id", "e.recurring_event_id"},
    {"original_start", "e.original_start"},
    {"recurrence", "json(e.recurrence)"},
};

inline std::string event_json_sql() {
    std::string sql = "json_object(";
    for (const auto& f : kEventJsonFields) {
        if (sql.back() != '(') sql += ", ";
        sql += '\'';
        sql += f.key;
        sql += "', ";
        sql += f.column;
    }
    return sql + ")";
}

// Expects the aliases e (events), c (calendars), i (integrations).
inline const std::string kEventJsonSql = event_json_sql();

inline constexpr const char* kEventJoinSql =
    "FROM events e JOIN calendars c ON c.id = e.calendar_id JOIN integrations i ON i.id = c.integration_id";

// Before an event row changes or goes: copies its snapshot into the change_log
// row that still relies on it. ?1 calendars.id, ?2 event_id, ?3 the raw JSON
// about to be written (the copy is skipped when it is unchanged, as the upsert
// is), or NULL before a delete.
inline const std::string kKeepSnapshotSql =
    "UPDATE change_log SET event = (SELECT " + kEventJsonSql + " " + kEventJoinSql +
    " WHERE e.calendar_id = ?1 AND e.event_id = ?2) "
    "WHERE seq = (SELECT log_seq FROM events WHERE calendar_id = ?1 AND event_id = ?2 AND raw IS NOT ?3) "
    "AND event IS NULL";

// The same for every event of calendar ?1, before they are all deleted.
inline const std::string kKeepCalendarSnapshotsSql =
    "UPDATE change_log SET event = (SELECT " + kEventJsonSql + " " + kEventJoinSql +
    " WHERE e.calendar_id = change_log.calendar_id AND e.event_id = change_log.event_id) "
    "WHERE seq IN (SELECT log_seq FROM events WHERE calendar_id = ?1 AND log_seq IS NOT NULL) AND event IS NULL";

// The `event` of a change (JSON text, NULL for a delete), over the alias cl
// (change_log): the stored snapshot, or else the event row that still holds
// the state of that change.
inline const std::string kChangeEventSql =
    "CASE WHEN cl.event IS NOT NULL THEN cl.event WHEN cl.op = 'upsert' THEN (SELECT " + kEventJsonSql + " " +
    kEventJoinSql + " WHERE e.calendar_id = cl.calendar_id AND e.event_id = cl.event_id AND e.log_seq = cl.seq) END";

}  // namespace calsync
