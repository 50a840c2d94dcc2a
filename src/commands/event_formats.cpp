#include "commands/event_formats.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "util/time.hpp"

namespace calsync {

EventFormat parse_event_format(std::string_view name) {
    if (name == "table") return EventFormat::table;
    if (name == "json") return EventFormat::json;
    if (name == "csv") return EventFormat::csv;
    if (name == "ics") return EventFormat::ics;
    throw UsageError(fmt::format("unknown --format '{}' (table, json, csv or ics)", name));
}

std::optional<int64_t> parse_time_bound(std::string_view text) {
    if (auto day = parse_date(text)) return day;
    return parse_rfc3339(text);
}

std::vector<std::string> recurrence_lines(std::string_view json) {
    std::vector<std::string> lines;
    if (json.empty()) return lines;
    auto j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_array()) return lines;
    for (const auto& line : j)
        if (line.is_string()) lines.push_back(line.get<std::string>());
    return lines;
}

std::string csv_field(std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csv_header() {
    return "integration,provider,calendar,id,status,kind,summary,location,start,end,all_day,updated,etag,"
           "recurring_event_id,original_start\r\n";
}

std::string csv_record(const EventRow& e) {
    auto opt = [](const std::optional<std::string>& v) { return v ? csv_field(*v) : std::string(); };
    return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n", e.integration, csv_field(e.provider),
                       csv_field(e.calendar), csv_field(e.id), csv_field(e.status), csv_field(e.kind), opt(e.summary),
                       opt(e.location), csv_field(e.start), csv_field(e.end), e.all_day ? "true" : "false",
                       opt(e.updated), opt(e.etag), opt(e.recurring_event_id), opt(e.original_start));
}

std::string fit_column(std::string_view text, size_t width) {
    // Count characters, not bytes: a UTF-8 continuation byte is 10xxxxxx.
    auto is_lead = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
    std::string out;
    size_t chars = 0, i = 0;
    for (; i < text.size(); ++i) {
        if (is_lead(text[i])) {
            if (chars == width) break;
            ++chars;
        }
        unsigned char c = static_cast<unsigned char>(text[i]);
        out += (c < 0x20 || c == 0x7f) ? ' ' : text[i];  // a newline must not break the row
    }
    if (i < text.size() && width > 0) {
        // Too long: drop the last character and mark the cut.
        size_t cut = out.size();
        do --cut;
        while (cut > 0 && !is_lead(out[cut]));
        out.resize(cut);
        out += "…";
        chars = width;
    }
    out.append(width - chars, ' ');
    return out;
}

namespace {
constexpr size_t kTimeWidth = 20, kSummaryWidth = 32, kCalendarWidth = 24, kStatusWidth = 10;

std::string row(std::string_view start, std::string_view end, std::string_view summary, std::string_view calendar,
                std::string_view status, std::string_view id) {
    return fmt::format("{}  {}  {}  {}  {}  {}\n", fit_column(start, kTimeWidth), fit_column(end, kTimeWidth),
                       fit_column(summary, kSummaryWidth), fit_column(calendar, kCalendarWidth),
                       fit_column(status, kStatusWidth), id);
}
}  // namespace

std::string table_header() { return row("START", "END", "SUMMARY", "CALENDAR", "STATUS", "ID"); }

std::string table_line(const EventRow& e) {
    return row(e.start, e.end, e.summary.value_or(""), e.calendar, e.status, e.id);
}

}  // namespace calsync
