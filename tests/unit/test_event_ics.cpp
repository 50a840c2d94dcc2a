// commands/event_formats.hpp, iCalendar: what calsync writes is parsed back
// with libical and checked property by property.
#include <catch2/catch.hpp>
#include <libical/ical.h>

#include <memory>
#include <sstream>

#include "commands/event_formats.hpp"

using namespace calsync;

namespace {

constexpr int64_t kNow = 1795428000;  // 2026-11-23T10:00:00Z

struct ComponentFree {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, ComponentFree>;

Component parse(const std::string& text) { return Component(icalparser_parse_string(text.c_str())); }

EventRow timed() {
    EventRow e;
    e.integration = 1;
    e.provider = "google";
    e.calendar = "primary";
    e.id = "evt1";
    e.status = "confirmed";
    e.kind = "single";
    e.summary = "Standup";
    e.location = "Room 4";
    e.start = "2026-11-24T09:00:00Z";
    e.end = "2026-11-24T09:30:00Z";
    e.start_ts = 1795510800;
    e.end_ts = 1795512600;
    e.updated = "2026-11-20T08:00:00.123Z";
    return e;
}

EventRow all_day() {
    EventRow e = timed();
    e.id = "evt2";
    e.all_day = true;
    e.start = "2026-11-23";
    e.end = "2026-11-25";
    e.start_ts = 1795392000;
    e.end_ts = 1795564800;
    return e;
}

// The only VEVENT of a one-event calendar, which must parse.
struct Parsed {
    explicit Parsed(const EventRow& e) : text(ics_document({e}, kNow)), cal(parse(text)) {
        REQUIRE(cal);
        REQUIRE(icalcomponent_isa(cal.get()) == ICAL_VCALENDAR_COMPONENT);
        REQUIRE(icalcomponent_count_components(cal.get(), ICAL_VEVENT_COMPONENT) == 1);
        event = icalcomponent_get_first_component(cal.get(), ICAL_VEVENT_COMPONENT);
        REQUIRE(icalcomponent_count_errors(cal.get()) == 0);
    }
    int count(icalproperty_kind k) const { return icalcomponent_count_properties(event, k); }
    icalproperty* first(icalproperty_kind k) const { return icalcomponent_get_first_property(event, k); }
    std::string x(const char* name) const {
        for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_X_PROPERTY); p;
             p = icalcomponent_get_next_property(event, ICAL_X_PROPERTY))
            if (std::string(icalproperty_get_x_name(p)) == name) return icalproperty_get_x(p);
        return "";
    }

    std::string text;
    Component cal;
    icalcomponent* event = nullptr;
};

std::string ical_time(icaltimetype t) { return icaltime_as_ical_string(t); }

}  // namespace

TEST_CASE("ics: a calendar with VERSION, PRODID and CRLF lines", "[events][ics]") {
    std::string text = ics_document({timed(), all_day()}, kNow);
    CHECK(text.rfind("BEGIN:VCALENDAR\r\n", 0) == 0);
    CHECK(text.size() >= 15);
    CHECK(text.substr(text.size() - 15) == "END:VCALENDAR\r\n");
    Component cal = parse(text);
    REQUIRE(cal);
    CHECK(std::string(icalproperty_get_version(icalcomponent_get_first_property(cal.get(), ICAL_VERSION_PROPERTY))) ==
          "2.0");
    CHECK(std::string(icalproperty_get_prodid(icalcomponent_get_first_property(cal.get(), ICAL_PRODID_PROPERTY))) ==
          "-//calsync//calsync//EN");
    CHECK(icalcomponent_count_components(cal.get(), ICAL_VEVENT_COMPONENT) == 2);
    for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) CHECK(text[at - 1] == '\r');

    std::ostringstream empty;
    IcsWriter writer(empty, kNow);
    writer.finish();
    Component none = parse(empty.str());
    REQUIRE(none);
    CHECK(icalcomponent_count_components(none.get(), ICAL_VEVENT_COMPONENT) == 0);
}

TEST_CASE("ics: a timed event in UTC with UID, DTSTAMP, SUMMARY, LOCATION, STATUS and kind", "[events][ics]") {
    Parsed p(timed());
    CHECK(std::string(icalcomponent_get_uid(p.event)) == "evt1");
    CHECK(ical_time(icalcomponent_get_dtstart(p.event)) == "20261124T090000Z");
    CHECK(ical_time(icalcomponent_get_dtend(p.event)) == "20261124T093000Z");
    CHECK(ical_time(icalcomponent_get_dtstamp(p.event)) == "20261120T080000Z");
    CHECK(std::string(icalcomponent_get_summary(p.event)) == "Standup");
    CHECK(std::string(icalcomponent_get_location(p.event)) == "Room 4");
    CHECK(icalcomponent_get_status(p.event) == ICAL_STATUS_CONFIRMED);
    CHECK(p.x("X-CALSYNC-KIND") == "single");
    CHECK(p.count(ICAL_RRULE_PROPERTY) == 0);
    CHECK(p.count(ICAL_RECURRENCEID_PROPERTY) == 0);
    CHECK(p.text.find("DTSTART:20261124T090000Z\r\n") != std::string::npos);
}

TEST_CASE("ics: the provider's iCalendar UID wins; DTSTAMP falls back to now", "[events][ics]") {
    EventRow e = timed();
    e.uid = "abc123@google.com";
    e.updated.reset();
    Parsed p(e);
    CHECK(std::string(icalcomponent_get_uid(p.event)) == "abc123@google.com");
    CHECK(ical_time(icalcomponent_get_dtstamp(p.event)) == "20261123T100000Z");
}

TEST_CASE("ics: all-day events use DATE values with an exclusive end", "[events][ics]") {
    Parsed p(all_day());
    icaltimetype start = icalcomponent_get_dtstart(p.event);
    icaltimetype end = icalcomponent_get_dtend(p.event);
    CHECK(start.is_date == 1);
    CHECK(end.is_date == 1);
    CHECK(ical_time(start) == "20261123");
    CHECK(ical_time(end) == "20261125");
    CHECK(p.text.find("DTSTART;VALUE=DATE:20261123\r\n") != std::string::npos);
    CHECK(p.text.find("DTEND;VALUE=DATE:20261125\r\n") != std::string::npos);
}

TEST_CASE("ics: statuses map to CONFIRMED, TENTATIVE, CANCELLED; others are left out", "[events][ics]") {
    EventRow e = timed();
    e.status = "tentative";
    CHECK(icalcomponent_get_status(Parsed(e).event) == ICAL_STATUS_TENTATIVE);
    e.status = "cancelled";
    CHECK(icalcomponent_get_status(Parsed(e).event) == ICAL_STATUS_CANCELLED);
    e.status = "something-new";
    CHECK(Parsed(e).count(ICAL_STATUS_PROPERTY) == 0);
}

TEST_CASE("ics: empty summary and location are left out", "[events][ics]") {
    EventRow e = timed();
    e.summary.reset();
    e.location = "";
    Parsed p(e);
    CHECK(p.count(ICAL_SUMMARY_PROPERTY) == 0);
    CHECK(p.count(ICAL_LOCATION_PROPERTY) == 0);
}

TEST_CASE("ics: RRULE, EXDATE and RDATE come from the recurrence lines", "[events][ics]") {
    EventRow e = timed();
    e.kind = "series";
    e.recurrence = {"RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=TU", "EXDATE;TZID=Europe/Berlin:20261201T100000,20261208T100000",
                    "RDATE;VALUE=DATE:20261231", "EXDATE:20261215T090000Z"};
    Parsed p(e);
    REQUIRE(p.count(ICAL_RRULE_PROPERTY) == 1);
    icalrecurrencetype r = icalproperty_get_rrule(p.first(ICAL_RRULE_PROPERTY));
    CHECK(r.freq == ICAL_WEEKLY_RECURRENCE);
    CHECK(r.count == 5);
    CHECK(r.by_day[0] == ICAL_TUESDAY_WEEKDAY);
    // A multi-valued EXDATE keeps every value; a named zone moves to UTC.
    REQUIRE(p.count(ICAL_EXDATE_PROPERTY) == 3);
    std::vector<std::string> exdates;
    for (icalproperty* x = icalcomponent_get_first_property(p.event, ICAL_EXDATE_PROPERTY); x;
         x = icalcomponent_get_next_property(p.event, ICAL_EXDATE_PROPERTY)) {
        exdates.push_back(ical_time(icalproperty_get_exdate(x)));
        CHECK(icalproperty_get_first_parameter(x, ICAL_TZID_PARAMETER) == nullptr);
    }
    CHECK(exdates == std::vector<std::string>{"20261201T090000Z", "20261208T090000Z", "20261215T090000Z"});
    REQUIRE(p.count(ICAL_RDATE_PROPERTY) == 1);
    CHECK(p.text.find("RDATE;VALUE=DATE:20261231\r\n") != std::string::npos);
    CHECK(p.x("X-CALSYNC-KIND") == "series");
}

TEST_CASE("ics: unreadable or foreign recurrence lines are skipped", "[events][ics]") {
    EventRow e = timed();
    e.recurrence = {"RRULE:FREQ=BOGUS", "nonsense", "SUMMARY:injected", "RRULE:FREQ=DAILY\r\nATTENDEE:mailto:x@y",
                    "RRULE:FREQ=DAILY;COUNT=2"};
    Parsed p(e);
    CHECK(p.count(ICAL_RRULE_PROPERTY) == 1);
    CHECK(p.count(ICAL_ATTENDEE_PROPERTY) == 0);
    CHECK(std::string(icalcomponent_get_summary(p.event)) == "Standup");
    CHECK(p.text.find("X-LIC-ERROR") == std::string::npos);
}

TEST_CASE("ics: an exception carries RECURRENCE-ID", "[events][ics]") {
    EventRow e = timed();
    e.kind = "exception";
    e.recurring_event_id = "series1";
    e.original_start = "2026-11-24T08:00:00Z";
    Parsed p(e);
    CHECK(ical_time(icalcomponent_get_recurrenceid(p.event)) == "20261124T080000Z");
    CHECK(p.x("X-CALSYNC-KIND") == "exception");

    EventRow d = all_day();
    d.kind = "exception";
    d.original_start = "2026-11-22";
    Parsed q(d);
    icaltimetype rid = icalcomponent_get_recurrenceid(q.event);
    CHECK(rid.is_date == 1);
    CHECK(ical_time(rid) == "20261122");
}

TEST_CASE("ics: commas, semicolons, backslashes and newlines in text are escaped", "[events][ics]") {
    EventRow e = timed();
    e.summary = "Plan, review; ship\nthen \\ party";
    e.location = "Main St. 1, Springfield";
    Parsed p(e);
    CHECK(p.text.find("SUMMARY:Plan\\, review\\; ship\\nthen \\\\ party\r\n") != std::string::npos);
    CHECK(std::string(icalcomponent_get_summary(p.event)) == *e.summary);
    CHECK(std::string(icalcomponent_get_location(p.event)) == *e.location);
}

TEST_CASE("ics: long lines are folded at 75 octets and unfold to the original", "[events][ics]") {
    EventRow e = timed();
    std::string summary;
    for (int k = 0; k < 30; ++k) summary += (k ? " " : "") + std::string("Quartalsplanung für Zürich");
    e.summary = summary;
    Parsed p(e);
    size_t start = 0, continuation_lines = 0;
    while (start < p.text.size()) {
        size_t end = p.text.find("\r\n", start);
        REQUIRE(end != std::string::npos);
        INFO(p.text.substr(start, end - start));
        CHECK(end - start <= 75);
        if (p.text[start] == ' ') ++continuation_lines;
        start = end + 2;
    }
    CHECK(continuation_lines > 5);
    CHECK(std::string(icalcomponent_get_summary(p.event)) == summary);
}
