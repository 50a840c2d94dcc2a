// iCalendar output through libical: calsync builds components and lets
// libical do the escaping and the 75-octet line folding of RFC 5545.
#include <libical/ical.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "commands/event_formats.hpp"
#include "util/time.hpp"

namespace calsync {
namespace {

struct ComponentFree {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, ComponentFree>;

std::string serialize(icalcomponent* c) {
    char* text = icalcomponent_as_ical_string_r(c);
    std::string out = text ? text : "";
    std::free(text);
    return out;
}

icaltimezone* utc() { return icaltimezone_get_utc_timezone(); }

icaltimetype utc_time(int64_t ts) { return icaltime_from_timet_with_zone(static_cast<time_t>(ts), 0, utc()); }

// A DATE value for "YYYY-MM-DD"; the UTC day of `fallback_ts` if the text is not one.
icaltimetype date_value(std::string_view text, int64_t fallback_ts) {
    int64_t day = parse_date(text.substr(0, 10)).value_or(fallback_ts);
    return icaltime_from_timet_with_zone(static_cast<time_t>(day), 1, nullptr);
}

// RECURRENCE-ID: a date for all-day series, else the instant in UTC.
std::optional<icaltimetype> original_start_value(std::string_view text) {
    if (auto day = parse_date(text)) return date_value(text, *day);
    if (auto ts = parse_rfc3339(text)) return utc_time(*ts);
    return std::nullopt;
}

std::optional<icalproperty_status> status_value(std::string_view status) {
    if (status == "confirmed") return ICAL_STATUS_CONFIRMED;
    if (status == "tentative") return ICAL_STATUS_TENTATIVE;
    if (status == "cancelled" || status == "canceled") return ICAL_STATUS_CANCELLED;
    return std::nullopt;
}

// DTSTART is written in UTC, so an EXDATE/RDATE the provider gave in a named
// zone is moved to UTC too (when libical knows the zone) rather than left
// pointing at a VTIMEZONE the calendar does not carry.
void move_to_utc(icalproperty* p) {
    if (!icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) return;
    if (icalproperty_isa(p) == ICAL_EXDATE_PROPERTY) {
        icaltimetype t = icalproperty_get_exdate(p);
        if (t.is_date || !t.zone) return;
        icalproperty_set_exdate(p, icaltime_convert_to_zone(t, utc()));
    } else if (icalproperty_isa(p) == ICAL_RDATE_PROPERTY) {
        icaldatetimeperiodtype d = icalproperty_get_rdate(p);
        if (icaltime_is_null_time(d.time) || d.time.is_date || !d.time.zone) return;
        d.time = icaltime_convert_to_zone(d.time, utc());
        icalproperty_set_rdate(p, d);
    } else {
        return;
    }
    icalproperty_remove_parameter_by_kind(p, ICAL_TZID_PARAMETER);
}

bool is_recurrence_kind(icalproperty_kind k) {
    return k == ICAL_RRULE_PROPERTY || k == ICAL_EXRULE_PROPERTY || k == ICAL_RDATE_PROPERTY ||
           k == ICAL_EXDATE_PROPERTY;
}

// One provider line ("RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE;TZID=…:a,b") parsed
// by libical inside a scratch VEVENT, so a multi-valued EXDATE keeps every
// value (icalproperty_new_from_string keeps only the first). Only recurrence
// properties are taken; anything else in the line is dropped.
void add_recurrence_line(icalcomponent* vevent, const std::string& line, const std::string& event_id) {
    if (line.find_first_of("\r\n") != std::string::npos) {
        spdlog::warn("event {}: recurrence line with a line break skipped", event_id);
        return;
    }
    std::string doc = "BEGIN:VEVENT\r\n" + line + "\r\nEND:VEVENT\r\n";
    Component scratch(icalparser_parse_string(doc.c_str()));
    std::vector<icalproperty*> taken;
    if (scratch && icalcomponent_isa(scratch.get()) == ICAL_VEVENT_COMPONENT)
        for (icalproperty* p = icalcomponent_get_first_property(scratch.get(), ICAL_ANY_PROPERTY); p;
             p = icalcomponent_get_next_property(scratch.get(), ICAL_ANY_PROPERTY))
            if (is_recurrence_kind(icalproperty_isa(p))) taken.push_back(p);
    if (taken.empty()) spdlog::warn("event {}: unreadable recurrence line skipped: {}", event_id, line);
    for (icalproperty* p : taken) {
        icalcomponent_remove_property(scratch.get(), p);
        move_to_utc(p);
        icalcomponent_add_property(vevent, p);
    }
}

Component build_vevent(const EventRow& e, int64_t now) {
    Component ev(icalcomponent_new(ICAL_VEVENT_COMPONENT));
    icalcomponent* c = ev.get();
    icalcomponent_add_property(c, icalproperty_new_uid(e.uid.empty() ? e.id.c_str() : e.uid.c_str()));
    auto updated = e.updated ? parse_rfc3339(*e.updated) : std::nullopt;
    icalcomponent_add_property(c, icalproperty_new_dtstamp(utc_time(updated.value_or(now))));
    if (e.all_day) {
        icalcomponent_add_property(c, icalproperty_new_dtstart(date_value(e.start, e.start_ts)));
        icalcomponent_add_property(c, icalproperty_new_dtend(date_value(e.end, e.end_ts)));
    } else {
        icalcomponent_add_property(c, icalproperty_new_dtstart(utc_time(e.start_ts)));
        icalcomponent_add_property(c, icalproperty_new_dtend(utc_time(e.end_ts)));
    }
    if (e.summary && !e.summary->empty()) icalcomponent_add_property(c, icalproperty_new_summary(e.summary->c_str()));
    if (e.location && !e.location->empty())
        icalcomponent_add_property(c, icalproperty_new_location(e.location->c_str()));
    if (auto s = status_value(e.status)) icalcomponent_add_property(c, icalproperty_new_status(*s));
    for (const auto& line : e.recurrence) add_recurrence_line(c, line, e.id);
    if (e.original_start)
        if (auto t = original_start_value(*e.original_start))
            icalcomponent_add_property(c, icalproperty_new_recurrenceid(*t));
    icalproperty* kind = icalproperty_new_x(e.kind.c_str());
    icalproperty_set_x_name(kind, "X-CALSYNC-KIND");
    icalcomponent_add_property(c, kind);
    return ev;
}

}  // namespace

std::string ics_vevent(const EventRow& e, int64_t now) { return serialize(build_vevent(e, now).get()); }

IcsWriter::IcsWriter(std::ostream& out, int64_t now) : out_(out), now_(now) {
    // Serialize the empty calendar once and split it around its END line, so
    // the events can stream in between.
    Component cal(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
    icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//calsync//calsync//EN"));
    icalcomponent_add_property(cal.get(), icalproperty_new_calscale("GREGORIAN"));
    std::string text = serialize(cal.get());
    size_t end = text.rfind("END:VCALENDAR");
    if (end == std::string::npos) throw std::runtime_error("libical: could not serialize a calendar");
    out_ << text.substr(0, end);
    trailer_ = text.substr(end);
}

void IcsWriter::add(const EventRow& e) { out_ << ics_vevent(e, now_); }

void IcsWriter::finish() { out_ << trailer_; }

std::string ics_document(const std::vector<EventRow>& rows, int64_t now) {
    std::ostringstream out;
    IcsWriter writer(out, now);
    for (const auto& e : rows) writer.add(e);
    writer.finish();
    return out.str();
}

}  // namespace calsync
