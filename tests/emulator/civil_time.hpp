// Calendar arithmetic for the emulated calendars: days <-> civil dates, the
// time formats Google and Graph print, and a small table of IANA zones with
// their DST rules (EU and US), enough to render "+01:00"/"+02:00" offsets
// like Google does without a tz database. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emu {

using UnixSeconds = std::int64_t;
inline constexpr UnixSeconds kDay = 86400;

struct CivilDate {
    int year = 1970, month = 1, day = 1;
};

std::int64_t days_from_civil(int year, int month, int day);
CivilDate civil_from_days(std::int64_t days);
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
inline std::int64_t day_of(UnixSeconds t) { return floor_div(t, kDay); }
int weekday_monday0(std::int64_t days);  // 0 = Monday … 6 = Sunday
int days_in_month(int year, int month);

// "2026-11-24T09:00:00Z"
std::string format_utc(UnixSeconds t);
// "2026-11-24"
std::string format_date(UnixSeconds t);
// "20261124T090000Z" / "20261124" (Google instance-id suffixes, RRULE UNTIL)
std::string format_basic(UnixSeconds t, bool date_only);
// Local time with offset: "2026-11-24T10:00:00+01:00", or "…Z" in UTC.
std::string format_with_offset(UnixSeconds t, int offset_seconds);
// Graph's wall-clock form: "2026-11-24T10:00:00.0000000".
std::string format_graph_local(UnixSeconds local);
// Milliseconds since the epoch as "2026-11-24T10:00:00.123Z" (Google) or
// "2026-11-24T10:00:00.1230000Z" (Graph).
std::string format_millis(std::int64_t ms);
std::string format_millis7(std::int64_t ms);

// RFC 3339 with an explicit offset or Z (Google's timeMin/timeMax rule).
std::optional<UnixSeconds> parse_rfc3339_strict(std::string_view text);
// ISO 8601 with or without an offset (no offset: UTC, as Graph reads it).
std::optional<UnixSeconds> parse_iso_lenient(std::string_view text);
// "YYYY-MM-DD" -> 00:00 UTC of that day.
std::optional<UnixSeconds> parse_day(std::string_view text);

// Time zones the emulator knows. Unknown names are refused by the control API
// and ignored (UTC) in Graph's Prefer header.
bool known_zone(std::string_view name);
// The IANA name for an IANA or Windows name ("W. Europe Standard Time"), or "".
std::string canonical_zone(std::string_view name);
std::string windows_zone(std::string_view iana);
int utc_offset(std::string_view zone, UnixSeconds utc);
UnixSeconds local_to_utc(std::string_view zone, UnixSeconds local);
// The zones seed/churn draw from: a mix of DST rules and odd offsets, UTC included.
const std::vector<std::string>& sample_zones();

}  // namespace emu
