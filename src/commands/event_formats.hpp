// How `calsync events` prints events other than as JSON (whose one definition
// is the SQL in sync/event_json.hpp): the human table, RFC 4180 CSV and
// iCalendar. Pure: rows in, text out; each writer streams one row at a time so
// 100,000 events never sit in memory together.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace calsync {

// One `events` row joined with its calendar and integration; the fields of
// the JSON contract, plus what iCalendar needs.
struct EventRow {
    int64_t integration = 0;
    std::string provider;
    std::string calendar;  // the provider's calendar id
    std::string id;        // the provider's event id
    std::string status;
    std::string kind;  // single | series | instance | exception
    std::optional<std::string> summary, location;
    std::string start, end;  // RFC 3339 UTC, or YYYY-MM-DD when all_day
    bool all_day = false;
    int64_t start_ts = 0, end_ts = 0;
    std::optional<std::string> updated, etag, recurring_event_id, original_start;
    std::vector<std::string> recurrence;  // RRULE/EXRULE/RDATE/EXDATE lines
    std::string uid;                      // iCalendar UID; empty means the event id
};

enum class EventFormat { table, json, csv, ics };

// "table" | "json" | "csv" | "ics"; throws UsageError otherwise.
EventFormat parse_event_format(std::string_view name);

// --from/--to: RFC 3339, or YYYY-MM-DD meaning 00:00 UTC that day.
std::optional<int64_t> parse_time_bound(std::string_view text);

// The `recurrence` column (a JSON array of strings) as lines; anything else
// (null, a Graph recurrence object, malformed text) gives none.
std::vector<std::string> recurrence_lines(std::string_view json);

// --- CSV (RFC 4180: CRLF records, fields quoted when they hold , " CR or LF)
std::string csv_field(std::string_view value);
std::string csv_header();
std::string csv_record(const EventRow& e);

// --- the human table: fixed columns, long text cut with "…" on a character
// boundary so the columns line up however many rows follow.
std::string fit_column(std::string_view text, size_t width);
std::string table_header();
std::string table_line(const EventRow& e);

// --- iCalendar (RFC 5545) through libical: VCALENDAR, then one VEVENT per
// row, written as each row arrives; `finish` closes the calendar.
class IcsWriter {
public:
    IcsWriter(std::ostream& out, int64_t now);
    void add(const EventRow& e);
    void finish();

private:
    std::ostream& out_;
    int64_t now_;
    std::string trailer_;
};

// The VEVENT of one row, serialized (for tests and the writer).
std::string ics_vevent(const EventRow& e, int64_t now);
// A whole calendar of `rows`.
std::string ics_document(const std::vector<EventRow>& rows, int64_t now);

}  // namespace calsync
