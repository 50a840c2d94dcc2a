// The one definition of an event as output: the SQL expression that builds the
// JSON object of SPEC §4 (`events --json`, `changes --json`) from a row of
// `events` joined with its calendar and integration. Used by the change log
// (snapshots) and by `calsync events`, so both always agree. Extend, never rename.
#pragma once

namespace calsync {

// Expects the aliases e (events), c (calendars), i (integrations).
inline constexpr const char* kEventJsonSql =
    "json_object("
    "'integration', c.integration_id, "
    "'provider', i.provider, "
    "'calendar', c.provider_calendar_id, "
    "'id', e.event_id, "
    "'status', e.status, "
    "'kind', e.kind, "
    "'summary', e.summary, "
    "'location', e.location, "
    "'start', e.start, "
    "'end', e.\"end\", "
    "'all_day', json(CASE WHEN e.all_day THEN 'true' ELSE 'false' END), "
    "'updated', e.updated, "
    "'etag', e.etag, "
    "'recurring_event_id', e.recurring_event_id, "
    "'original_start', e.original_start, "
    "'recurrence', json(e.recurrence))";

inline constexpr const char* kEventJoinSql =
    "FROM events e JOIN calendars c ON c.id = e.calendar_id JOIN integrations i ON i.id = c.integration_id";

}  // namespace calsync
