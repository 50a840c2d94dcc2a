// The one definition of an event as output: the SQL expression that builds the
// JSON object of SPEC §4 (`events --json`, `changes --json`). Its fields are
// listed once, below; kEventJsonSql reads them from a row of `events` joined
// with its calendar and integration (`calsync events`), kEventJsonParamsSql
// from named parameters bound to the very values an upsert writes (the change
// log's snapshot, without reading the row back). SQLite's json_object builds
// both, so they always agree byte for byte. Extend, never rename.
#pragma once

#include <string>
#include <string_view>

namespace calsync {

struct EventJsonField {
    std::string_view key;
    std::string_view column;  // over the aliases e (events), c (calendars), i (integrations)
    std::string_view param;   // over named parameters
};

inline constexpr EventJsonField kEventJsonFields[] = {
    {"integration", "c.integration_id", ":integration"},
    {"provider", "i.provider", ":provider"},
    {"calendar", "c.provider_calendar_id", ":calendar"},
    {"id", "e.event_id", ":id"},
    {"status", "e.status", ":status"},
    {"kind", "e.kind", ":kind"},
    {"summary", "e.summary", ":summary"},
    {"location", "e.location", ":location"},
    {"start", "e.start", ":start"},
    {"end", "e.\"end\"", ":end"},
    {"all_day", "json(CASE WHEN e.all_day THEN 'true' ELSE 'false' END)",
     "json(CASE WHEN :all_day THEN 'true' ELSE 'false' END)"},
    {"updated", "e.updated", ":updated"},
    {"etag", "e.etag", ":etag"},
    {"recurring_event_id", "e.recurring_event_id", ":recurring_event_id"},
    {"original_start", "e.original_start", ":original_start"},
    {"recurrence", "json(e.recurrence)", "json(:recurrence)"},
};

inline std::string event_json_sql(bool from_params) {
    std::string sql = "json_object(";
    for (const auto& f : kEventJsonFields) {
        if (sql.back() != '(') sql += ", ";
        sql += '\'';
        sql += f.key;
        sql += "', ";
        sql += from_params ? f.param : f.column;
    }
    return sql + ")";
}

// Expects the aliases e (events), c (calendars), i (integrations).
inline const std::string kEventJsonSql = event_json_sql(false);
// Expects the parameters :integration, :provider, :calendar, :id, … of kEventJsonFields.
inline const std::string kEventJsonParamsSql = event_json_sql(true);

inline constexpr const char* kEventJoinSql =
    "FROM events e JOIN calendars c ON c.id = e.calendar_id JOIN integrations i ON i.id = c.integration_id";

}  // namespace calsync
