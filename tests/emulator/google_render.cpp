// Google Calendar v3 event resources (and CalendarInfo, shared with Graph).
#include "calendar_render.hpp"

#include "util/encoding.hpp"

namespace emu {
namespace {

void write_time(JsonWriter& w, UnixSeconds t, bool all_day, const std::string& zone) {
    w.begin_object();
    if (all_day) {
        w.field("date", format_date(t));
    } else {
        w.field("dateTime", format_with_offset(t, utc_offset(zone, t))).field("timeZone", zone);
    }
    w.end_object();
}

void write_cancelled_head(JsonWriter& w, const Event& e) {
    w.field("kind", "calendar#event").field("etag", google_etag(e)).field("id", e.id).field("status", "cancelled");
}

}  // namespace

CalendarInfo calendar_info(const Calendar& cal) {
    return {cal.id, cal.name, cal.time_zone, cal.owner_email, cal.owner_name, cal.primary, cal.updated_ms};
}

std::string google_etag(const Event& event) { return concat({"\"", std::to_string(event.etag_clock), "\""}); }

void write_google_event(JsonWriter& w, const ViewItem& item, const CalendarInfo& cal) {
    const Event& e = item.event;
    w.begin_object();
    if (item.form == ViewItem::Form::removed) {
        write_cancelled_head(w, e);
        w.end_object();
        return;
    }
    if (item.form == ViewItem::Form::cancelled_instance) {
        write_cancelled_head(w, e);
        w.field("recurringEventId", e.recurring_event_id).key("originalStartTime");
        write_time(w, e.original_start, e.all_day, e.time_zone);
        w.end_object();
        return;
    }
    w.field("kind", "calendar#event").field("etag", google_etag(e)).field("id", e.id);
    w.field("status", status_name(e.status));
    w.field("htmlLink",
            concat({"https://www.google.com/calendar/event?eid=", calsync::base64url_encode(concat({e.id, " ", cal.id}))}));
    w.field("created", format_millis(e.created_ms)).field("updated", format_millis(e.updated_ms));
    if (e.summary) w.field("summary", *e.summary);
    if (e.description) w.field("description", *e.description);
    if (e.location) w.field("location", *e.location);
    w.key("creator").begin_object().field("email", cal.owner_email).key("self").boolean(true).end_object();
    w.key("organizer").begin_object().field("email", cal.primary ? cal.owner_email : cal.id);
    if (!cal.primary) w.field("displayName", cal.name);
    w.key("self").boolean(true).end_object();
    w.key("start");
    write_time(w, e.start, e.all_day, e.time_zone);
    w.key("end");
    write_time(w, e.end, e.all_day, e.time_zone);
    if (!e.recurrence.empty()) {
        w.key("recurrence").begin_array();
        for (const auto& line : e.recurrence) w.str(line);
        w.end_array();
    }
    if (e.is_exception()) {
        w.field("recurringEventId", e.recurring_event_id).key("originalStartTime");
        write_time(w, e.original_start, e.all_day, e.time_zone);
    }
    if (e.all_day) w.field("transparency", "transparent");
    w.field("iCalUID", event_ical_uid(Provider::google, e)).key("sequence").num(e.sequence);
    w.key("reminders").begin_object().key("useDefault").boolean(true).end_object();
    w.field("eventType", "default");
    w.end_object();
}

std::string render_event(Provider provider, const ViewItem& item, const CalendarInfo& cal) {
    JsonWriter w;
    if (provider == Provider::google) {
        write_google_event(w, item, cal);
    } else {
        write_graph_event(w, item, cal, GraphZone{});
    }
    return w.take();
}

}  // namespace emu
