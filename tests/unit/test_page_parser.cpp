// sync/page_parser.hpp and sync/event.hpp: provider pages become event
// records with normalized times, kinds and removals.
#include <catch2/catch.hpp>

#include "errors.hpp"
#include "sync/page_parser.hpp"

using namespace calsync;

namespace {

std::vector<EventRecord> kept(const EventPage& page) {
    std::vector<EventRecord> out;
    for (const auto& r : page.items)
        if (!r.removed) out.push_back(r);
    return out;
}

std::vector<std::string> removed(const EventPage& page) {
    std::vector<std::string> out;
    for (const auto& r : page.items)
        if (r.removed) out.emplace_back(r.event_id);
    return out;
}

}  // namespace

TEST_CASE("google page: times normalized to UTC, all-day dates, kinds and tokens", "[sync]") {
    PageParser parser;
    const EventPage& page = parser.parse_google(R"J({
      "kind":"calendar#events","nextPageToken":"p2",
      "items":[
        {"id":"a","status":"confirmed","summary":"Standup","location":"Room 1","etag":"\"1\"",
         "updated":"2026-11-20T10:00:00.000Z",
         "start":{"dateTime":"2026-11-24T10:00:00+01:00","timeZone":"Europe/Berlin"},
         "end":{"dateTime":"2026-11-24T10:30:00+01:00"}},
        {"id":"b","summary":"Holiday","start":{"date":"2026-12-24"},"end":{"date":"2026-12-25"}},
        {"id":"s","summary":"Weekly","recurrence":["RRULE:FREQ=WEEKLY;COUNT=5"],
         "start":{"dateTime":"2026-11-25T09:00:00Z"},"end":{"dateTime":"2026-11-25T10:00:00Z"}},
        {"id":"s_20261202T090000Z","recurringEventId":"s","summary":"Weekly (moved)",
         "originalStartTime":{"dateTime":"2026-12-02T09:00:00Z"},
         "start":{"dateTime":"2026-12-02T11:00:00Z"},"end":{"dateTime":"2026-12-02T12:00:00Z"}},
        {"id":"s_20261209T090000Z","status":"cancelled","recurringEventId":"s",
         "originalStartTime":{"dateTime":"2026-12-09T10:00:00+01:00"}},
        {"id":"gone","status":"cancelled"},
        {"summary":"no id"}
      ]})J");
    REQUIRE(page.next_page == "p2");
    REQUIRE_FALSE(page.cursor);
    auto upserts = kept(page);
    REQUIRE(upserts.size() == 5);
    CHECK(removed(page) == std::vector<std::string>{"gone"});
    CHECK(page.removal_takes_exceptions);
    CHECK(page.skipped == 1);

    const auto& a = upserts[0];
    CHECK(a.event_id == "a");
    CHECK(a.start == "2026-11-24T09:00:00Z");
    CHECK(a.end == "2026-11-24T09:30:00Z");
    CHECK(a.kind == "single");
    CHECK(a.location == "Room 1");
    CHECK(a.etag == "\"1\"");
    CHECK(a.raw.front() == '{');
    CHECK(a.raw.back() == '}');
    CHECK(a.raw.find("\"Standup\"") != std::string_view::npos);

    const auto& b = upserts[1];
    CHECK(b.all_day);
    CHECK(b.start == "2026-12-24");
    CHECK(b.end == "2026-12-25");
    CHECK(b.status == "confirmed");  // absent status means confirmed
    CHECK(b.end_ts - b.start_ts == 86400);

    CHECK(upserts[2].kind == "series");
    CHECK(upserts[2].recurrence == R"(["RRULE:FREQ=WEEKLY;COUNT=5"])");
    CHECK(upserts[3].kind == "exception");
    CHECK(upserts[3].recurring_event_id == "s");
    CHECK(upserts[3].original_start == "2026-12-02T09:00:00Z");

    // A cancelled occurrence is kept as a cancelled exception at its original time.
    const auto& c = upserts[4];
    CHECK(c.status == "cancelled");
    CHECK(c.kind == "exception");
    CHECK(c.start == "2026-12-09T09:00:00Z");
    CHECK(c.original_start == "2026-12-09T09:00:00Z");
}

TEST_CASE("google page: the last page carries the sync token; empty pages are fine", "[sync]") {
    PageParser parser;
    const EventPage& last = parser.parse_google(R"J({"items":[],"nextSyncToken":"CPDAlvWDx70CEPDAlvWDx70CGAU="})J");
    CHECK(last.cursor == "CPDAlvWDx70CEPDAlvWDx70CGAU=");
    CHECK(last.items.empty());
    const EventPage& none = parser.parse_google(R"J({"nextPageToken":"x"})J");
    CHECK(none.next_page == "x");
    CHECK_FALSE(none.cursor);
}

TEST_CASE("google page: malformed bodies are provider errors", "[sync]") {
    PageParser parser;
    CHECK_THROWS_AS(parser.parse_google("not json"), ProviderError);
    CHECK_THROWS_AS(parser.parse_google(R"J({"items":[{"id":5}]})J"), ProviderError);
    CHECK_THROWS_AS(parser.parse_google(R"([1,2])"), ProviderError);
}

TEST_CASE("graph delta page: occurrences, exceptions, removals, links", "[sync]") {
    PageParser parser;
    const EventPage& page = parser.parse_graph(R"J({
      "@odata.context":"x","@odata.deltaLink":"https://graph/v1.0/me/calendarView/delta?$deltatoken=abc",
      "value":[
        {"@odata.etag":"W/\"e1\"","id":"AAMk1","type":"singleInstance","subject":"Review","isAllDay":false,
         "isCancelled":false,"lastModifiedDateTime":"2026-11-20T10:00:00Z",
         "start":{"dateTime":"2026-11-24T10:00:00.0000000","timeZone":"UTC"},
         "end":{"dateTime":"2026-11-24T11:00:00.0000000","timeZone":"UTC"},
         "location":{"displayName":"Teams"},"seriesMasterId":null,"recurrence":null},
        {"id":"AAMk2","type":"occurrence","seriesMasterId":"M1","originalStart":"2026-11-25T09:00:00Z",
         "subject":"Daily","start":{"dateTime":"2026-11-25T09:00:00.0000000","timeZone":"UTC"},
         "end":{"dateTime":"2026-11-25T09:15:00.0000000","timeZone":"UTC"},"location":{"displayName":""}},
        {"isAllDay":true,"id":"AAMk3","type":"exception","seriesMasterId":"M1","subject":"Offsite",
         "start":{"dateTime":"2026-11-26T00:00:00.0000000","timeZone":"UTC"},
         "end":{"dateTime":"2026-11-27T00:00:00.0000000","timeZone":"UTC"},"isCancelled":true},
        {"@odata.type":"#microsoft.graph.event","id":"AAMk4","@removed":{"reason":"deleted"}}
      ]})J");
    CHECK(page.cursor == "https://graph/v1.0/me/calendarView/delta?$deltatoken=abc");
    CHECK_FALSE(page.next_page);
    auto upserts = kept(page);
    REQUIRE(upserts.size() == 3);
    CHECK(removed(page) == std::vector<std::string>{"AAMk4"});
    CHECK_FALSE(page.removal_takes_exceptions);
    CHECK(upserts[0].start == "2026-11-24T10:00:00Z");
    CHECK(upserts[0].kind == "single");
    CHECK(upserts[0].location == "Teams");
    CHECK(upserts[0].etag == "W/\"e1\"");
    CHECK(upserts[0].recurring_event_id.empty());
    CHECK(upserts[1].kind == "instance");
    CHECK(upserts[1].recurring_event_id == "M1");
    CHECK(upserts[1].original_start == "2026-11-25T09:00:00Z");
    CHECK(upserts[1].location.empty());
    // isAllDay after start in the object still yields dates.
    CHECK(upserts[2].all_day);
    CHECK(upserts[2].start == "2026-11-26");
    CHECK(upserts[2].status == "cancelled");
    CHECK(upserts[2].kind == "exception");
}

TEST_CASE("time normalization rejects garbage", "[sync]") {
    CHECK_FALSE(normalize_google_time("", ""));
    CHECK_FALSE(normalize_google_time("", "yesterday"));
    CHECK_FALSE(normalize_google_time("2026-02-31", ""));
    CHECK(normalize_google_time("", "2026-11-24T10:00:00-05:00")->text == "2026-11-24T15:00:00Z");
    CHECK(normalize_graph_time("2026-11-24T10:00:00.1234567", false)->text == "2026-11-24T10:00:00Z");
    CHECK_FALSE(normalize_graph_time("", false));
}

TEST_CASE("two page parsers sharing one simdjson parser keep their own records", "[sync]") {
    // The syncer applies page N from one parser while page N+1 is parsed into
    // the other with the same simdjson parser: page N's strings (unescaped by
    // simdjson into its own buffer) must survive that.
    simdjson::ondemand::parser shared;
    PageParser a(shared), b(shared);
    const EventPage& first = a.parse_google(
        R"J({"items":[{"id":"e1","status":"tentative","summary":"Caf\u00e9 \"one\"","location":"Room \u2116 1",
             "etag":"\"t1\"","updated":"2026-11-01T00:00:00Z","start":{"dateTime":"2026-11-24T10:00:00Z"},
             "end":{"dateTime":"2026-11-24T11:00:00Z"}},
            {"id":"e2","summary":"","start":{"date":"2026-11-25"},"end":{"date":"2026-11-26"}}],
           "nextPageToken":"p2"})J");
    const EventPage& second = b.parse_graph(
        R"J({"value":[{"id":"g\u0031","subject":"Other \u00fcber","type":"singleInstance","isAllDay":false,
             "start":{"dateTime":"2026-11-24T10:00:00.0000000"},"end":{"dateTime":"2026-11-24T11:00:00.0000000"},
             "location":{"displayName":"Annex"},"@odata.etag":"W/\"x\"","lastModifiedDateTime":"2026-11-02T00:00:00Z"}],
           "@odata.deltaLink":"d"})J");
    REQUIRE(first.items.size() == 2);
    CHECK(first.items[0].event_id == "e1");
    CHECK(first.items[0].status == "tentative");
    CHECK(first.items[0].summary == "Café \"one\"");
    CHECK(first.items[0].location == "Room № 1");
    CHECK(first.items[0].etag == "\"t1\"");
    CHECK(first.items[0].updated == "2026-11-01T00:00:00Z");
    CHECK(first.items[1].has_summary);
    CHECK(first.items[1].summary.data() != nullptr);  // "" stays a string, not NULL
    CHECK(first.items[1].summary.empty());
    REQUIRE(second.items.size() == 1);
    CHECK(second.items[0].event_id == "g1");
    CHECK(second.items[0].summary == "Other über");
    CHECK(second.items[0].location == "Annex");
    // A third page through `a` replaces the first, not the second.
    a.parse_google(R"J({"items":[{"id":"e3","start":{"date":"2026-11-27"}}],"nextSyncToken":"t"})J");
    CHECK(second.items[0].summary == "Other über");
}
