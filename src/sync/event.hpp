// A provider event reduced to what calsync stores (the `events` row), and the
// pure helpers that normalize provider times. String views point into the
// page being applied (its body and its parser), so a record lives as long as
// that page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace calsync {

// Provider-neutral shape of an event in a series (README "Recurring events"):
// single (no series), series (the master that carries the rules), instance (an
// unmodified occurrence, Graph only), exception (a modified or cancelled occurrence).
struct EventRecord {
    std::string_view event_id;
    std::string_view status;  // confirmed | tentative | cancelled
    std::string_view kind;
    std::string_view summary;
    std::string_view location;
    std::string start;  // RFC 3339 UTC, or YYYY-MM-DD when all_day
    std::string end;
    bool all_day = false;
    int64_t start_ts = 0;
    int64_t end_ts = 0;
    std::string_view updated;
    std::string_view etag;
    std::string_view recurring_event_id;
    std::string original_start;
    std::string_view recurrence;  // raw JSON (array or object), empty when none
    std::string_view raw;         // the provider's JSON for this event
    bool has_summary = false, has_location = false;
    // The local copy must drop this event (Google: cancelled and not an
    // exception; Graph: @removed). Only event_id is set then.
    bool removed = false;
};

struct NormalTime {
    std::string text;  // RFC 3339 UTC ("2026-11-24T09:00:00Z") or a date ("2026-11-24")
    int64_t ts = 0;
    bool all_day = false;
};

// Google {date} or {dateTime} (with offset). Returns nullopt when malformed.
std::optional<NormalTime> normalize_google_time(std::string_view date, std::string_view date_time);
// Graph {dateTime, timeZone}: calsync asks for UTC (Prefer: outlook.timezone="UTC");
// an all-day event keeps only the date.
std::optional<NormalTime> normalize_graph_time(std::string_view date_time, bool all_day);

}  // namespace calsync
