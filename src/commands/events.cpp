// calsync events [list] [--integration ID]... [--calendar ID]... [--from T]
// [--to T] [--format table|json|csv|ics]: the synced events, by start time.
// JSON objects come straight from SQLite through kEventJsonSql, the same
// expression the change feed snapshots, so `events` and `changes` always agree.
// Every format streams row by row.
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "commands/event_formats.hpp"
#include "sync/event_json.hpp"

namespace calsync {
namespace {

struct EventsOptions {
    std::vector<int64_t> integrations;
    std::vector<std::string> calendars;
    std::string from, to, format;
};

// What to select, validated; UsageError for anything malformed.
struct EventQuery {
    std::vector<int64_t> integrations;
    std::vector<std::string> calendars;
    std::optional<int64_t> from, to;
    EventFormat format = EventFormat::table;
};

EventQuery resolve(const EventsOptions& o, bool json) {
    EventQuery q{o.integrations, o.calendars, {}, {}, json ? EventFormat::json : EventFormat::table};
    if (!o.format.empty()) {
        q.format = parse_event_format(o.format);
        if (json && q.format != EventFormat::json)
            throw UsageError(fmt::format("--json conflicts with --format {}", o.format));
    }
    auto bound = [](const std::string& text, const char* name) -> std::optional<int64_t> {
        if (text.empty()) return std::nullopt;
        auto t = parse_time_bound(text);
        if (!t) throw UsageError(fmt::format("{} '{}' is neither RFC 3339 nor YYYY-MM-DD", name, text));
        return t;
    };
    q.from = bound(o.from, "--from");
    q.to = bound(o.to, "--to");
    if (q.from && q.to && *q.from >= *q.to) throw UsageError("--from must be before --to");
    return q;
}

// The columns read_row expects, in order. The iCalendar UID is the provider's
// (Google iCalUID, Graph iCalUId), read from the raw event only for ics.
constexpr const char* kRowColumns =
    "c.integration_id, i.provider, c.provider_calendar_id, e.event_id, e.status, e.kind, e.summary, e.location, "
    "e.start, e.\"end\", e.all_day, e.start_ts, e.end_ts, e.updated, e.etag, e.recurring_event_id, "
    "e.original_start, e.recurrence, ";
constexpr const char* kUidColumn =
    "CASE WHEN json_valid(e.raw) THEN coalesce(json_extract(e.raw, '$.iCalUID'), json_extract(e.raw, '$.iCalUId')) "
    "END";

std::string placeholders(size_t n) {
    std::string s;
    for (size_t k = 0; k < n; ++k) s += k ? ", ?" : "?";
    return s;
}

std::string select_sql(const EventQuery& q) {
    std::string sql = "SELECT ";
    if (q.format == EventFormat::json)
        sql += kEventJsonSql;
    else
        sql += std::string(kRowColumns) + (q.format == EventFormat::ics ? kUidColumn : "NULL");
    sql += " ";
    sql += kEventJoinSql;
    sql += " WHERE 1";
    if (!q.integrations.empty()) sql += " AND c.integration_id IN (" + placeholders(q.integrations.size()) + ")";
    if (!q.calendars.empty()) sql += " AND c.provider_calendar_id IN (" + placeholders(q.calendars.size()) + ")";
    if (q.from) sql += " AND e.end_ts > ?";
    if (q.to) sql += " AND e.start_ts < ?";
    sql += " ORDER BY e.start_ts, c.provider_calendar_id, e.event_id, c.integration_id";
    return sql;
}

void bind(SQLite::Statement& st, const EventQuery& q) {
    int n = 1;
    for (int64_t id : q.integrations) st.bind(n++, id);
    for (const auto& cal : q.calendars) st.bind(n++, cal);
    if (q.from) st.bind(n++, *q.from);
    if (q.to) st.bind(n++, *q.to);
}

std::optional<std::string> opt_text(const SQLite::Column& c) {
    return c.isNull() ? std::nullopt : std::optional<std::string>(c.getString());
}

EventRow read_row(SQLite::Statement& st, bool with_recurrence) {
    EventRow e;
    e.integration = st.getColumn(0).getInt64();
    e.provider = st.getColumn(1).getString();
    e.calendar = st.getColumn(2).getString();
    e.id = st.getColumn(3).getString();
    e.status = st.getColumn(4).getString();
    e.kind = st.getColumn(5).getString();
    e.summary = opt_text(st.getColumn(6));
    e.location = opt_text(st.getColumn(7));
    e.start = st.getColumn(8).getString();
    e.end = st.getColumn(9).getString();
    e.all_day = st.getColumn(10).getInt() != 0;
    e.start_ts = st.getColumn(11).getInt64();
    e.end_ts = st.getColumn(12).getInt64();
    e.updated = opt_text(st.getColumn(13));
    e.etag = opt_text(st.getColumn(14));
    e.recurring_event_id = opt_text(st.getColumn(15));
    e.original_start = opt_text(st.getColumn(16));
    if (with_recurrence) e.recurrence = recurrence_lines(st.getColumn(17).getString());
    e.uid = st.getColumn(18).getString();
    return e;
}

int run_events(const EventsOptions& o, Context& ctx) {
    EventQuery q = resolve(o, ctx.json());
    SQLite::Statement st(ctx.db().sql(), select_sql(q));
    bind(st, q);
    std::ostream& out = ctx.out();
    size_t rows = 0;
    switch (q.format) {
        case EventFormat::json:
            // One array, one element per line, never held in memory whole.
            while (st.executeStep()) out << (rows++ ? ",\n" : "[\n") << st.getColumn(0).getString();
            out << (rows ? "\n]\n" : "[]\n");
            break;
        case EventFormat::csv:
            out << csv_header();
            while (st.executeStep()) out << csv_record(read_row(st, false));
            break;
        case EventFormat::ics: {
            IcsWriter ics(out, ctx.clock().now());
            while (st.executeStep()) ics.add(read_row(st, true));
            ics.finish();
            break;
        }
        case EventFormat::table:
            while (st.executeStep()) out << (rows++ ? "" : table_header()) << table_line(read_row(st, false));
            if (!rows) out << "no events\n";
            break;
    }
    out.flush();
    return kExitOk;
}

}  // namespace

Runner setup_events(CLI::App& sub) {
    auto o = std::make_shared<EventsOptions>();
    sub.add_subcommand("list", "list events (the default)")->fallthrough();
    sub.add_option("--integration", o->integrations, "only events of this integration id (repeatable)")
        ->allow_extra_args(false);
    sub.add_option("--calendar", o->calendars, "only events of this calendar: the provider's calendar id (repeatable)")
        ->allow_extra_args(false);
    sub.add_option("--from", o->from, "only events ending after T (RFC 3339, or YYYY-MM-DD for 00:00 UTC)");
    sub.add_option("--to", o->to, "only events starting before T (RFC 3339, or YYYY-MM-DD for 00:00 UTC)");
    sub.add_option("--format", o->format, "table (default), json (same as --json), csv or ics");
    sub.require_subcommand(0, 1);
    return [o](Context& ctx) { return run_events(*o, ctx); };
}

}  // namespace calsync
