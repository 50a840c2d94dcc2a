// commands/event_formats.hpp: --format and --from/--to parsing, the
// recurrence column, RFC 4180 CSV and the fixed-width table.
#include <catch2/catch.hpp>

#include "commands/event_formats.hpp"
#include "errors.hpp"

using namespace calsync;

namespace {

EventRow sample() {
    EventRow e;
    e.integration = 3;
    e.provider = "google";
    e.calendar = "team@example.com";
    e.id = "evt1";
    e.status = "confirmed";
    e.kind = "single";
    e.summary = "Standup";
    e.start = "2026-11-23T10:00:00Z";
    e.end = "2026-11-23T10:15:00Z";
    e.updated = "2026-11-20T08:00:00Z";
    e.etag = "\"3300\"";
    return e;
}

}  // namespace

TEST_CASE("parse_event_format knows four formats and refuses the rest", "[events]") {
    CHECK(parse_event_format("table") == EventFormat::table);
    CHECK(parse_event_format("json") == EventFormat::json);
    CHECK(parse_event_format("csv") == EventFormat::csv);
    CHECK(parse_event_format("ics") == EventFormat::ics);
    for (const char* bad : {"", "JSON", "xml", "ical", "csv "}) {
        INFO("'" << bad << "'");
        CHECK_THROWS_AS(parse_event_format(bad), UsageError);
    }
}

TEST_CASE("parse_time_bound takes RFC 3339 or a date at 00:00 UTC", "[events]") {
    CHECK(parse_time_bound("2026-11-23") == 1795392000);
    CHECK(parse_time_bound("2026-11-23T10:00:00Z") == 1795428000);
    CHECK(parse_time_bound("2026-11-23T11:00:00+01:00") == 1795428000);
    for (const char* bad : {"", "tomorrow", "2026-11-23T10:00", "2026-02-30", "23.11.2026"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse_time_bound(bad));
    }
}

TEST_CASE("recurrence_lines reads a JSON array of strings, nothing else", "[events]") {
    CHECK(recurrence_lines(R"(["RRULE:FREQ=WEEKLY;COUNT=5","EXDATE:20261130T100000Z"])") ==
          std::vector<std::string>{"RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE:20261130T100000Z"});
    CHECK(recurrence_lines("").empty());
    CHECK(recurrence_lines("null").empty());
    CHECK(recurrence_lines(R"({"pattern":{"type":"weekly"}})").empty());
    CHECK(recurrence_lines("[not json").empty());
    CHECK(recurrence_lines(R"(["RRULE:FREQ=DAILY", 7, null])") == std::vector<std::string>{"RRULE:FREQ=DAILY"});
}

TEST_CASE("csv_field quotes only when needed and doubles quotes", "[events][csv]") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("") == "");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\rhere") == "\"cr\rhere\"");
    CHECK(csv_field("semi;colon 'single'") == "semi;colon 'single'");
    CHECK(csv_field("Zürich") == "Zürich");
}

TEST_CASE("csv_record has the header's 15 columns, nulls empty, CRLF", "[events][csv]") {
    CHECK(csv_header() ==
          "integration,provider,calendar,id,status,kind,summary,location,start,end,all_day,updated,etag,"
          "recurring_event_id,original_start\r\n");
    EventRow e = sample();
    CHECK(csv_record(e) == "3,google,team@example.com,evt1,confirmed,single,Standup,,2026-11-23T10:00:00Z,"
                           "2026-11-23T10:15:00Z,false,2026-11-20T08:00:00Z,\"\"\"3300\"\"\",,\r\n");
    e.summary = "Review, \"final\"";
    e.location = "Room 1\nNorth";
    e.all_day = true;
    e.start = "2026-11-23";
    e.end = "2026-11-24";
    e.kind = "exception";
    e.recurring_event_id = "series1";
    e.original_start = "2026-11-23";
    CHECK(csv_record(e) == "3,google,team@example.com,evt1,confirmed,exception,\"Review, \"\"final\"\"\",\"Room 1\n"
                           "North\",2026-11-23,2026-11-24,true,2026-11-20T08:00:00Z,\"\"\"3300\"\"\",series1,"
                           "2026-11-23\r\n");
}

TEST_CASE("fit_column pads and cuts by characters, never inside one", "[events][table]") {
    CHECK(fit_column("abc", 5) == "abc  ");
    CHECK(fit_column("abcde", 5) == "abcde");
    CHECK(fit_column("abcdef", 5) == "abcd…");
    CHECK(fit_column("", 3) == "   ");
    CHECK(fit_column("äöüß", 4) == "äöüß");
    CHECK(fit_column("äöüßx", 4) == "äöü…");
    CHECK(fit_column("日本語のテキスト", 4) == "日本語…");
    CHECK(fit_column("two\nlines\tand tab", 20) == "two lines and tab   ");
    CHECK(fit_column("abc", 0) == "");
}

TEST_CASE("table_line keeps columns aligned whatever the summary", "[events][table]") {
    EventRow e = sample();
    std::string header = table_header();
    std::string line = table_line(e);
    CHECK(header.rfind("START", 0) == 0);
    CHECK(line.find("Standup") == header.find("SUMMARY"));
    CHECK(line.find("team@example.com") == header.find("CALENDAR"));
    CHECK(line.find("confirmed") == header.find("STATUS"));
    CHECK(line.find("evt1\n") == header.find("ID\n"));
    e.summary = std::string(100, 'x') + "\nsecond line";
    line = table_line(e);
    CHECK(line.find("confirmed") == header.find("STATUS") + std::string("…").size() - 1);  // one character, 3 bytes
    CHECK(line.find('\n') == line.size() - 1);
    e.summary.reset();
    CHECK(table_line(e).find("team@example.com") == header.find("CALENDAR"));
}
