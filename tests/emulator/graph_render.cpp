// Microsoft Graph event resources.
#include "calendar_render.hpp"

#include "util/encoding.hpp"

namespace emu {
namespace {

const char* graph_type(ViewItem::Kind kind) {
    switch (kind) {
    case ViewItem::Kind::single: return "singleInstance";
    case ViewItem::Kind::series: return "seriesMaster";
    case ViewItem::Kind::occurrence: return "occurrence";
    case ViewItem::Kind::exception: return "exception";
    }
    return "singleInstance";
}

// All-day events are floating: midnight in whatever zone the client asked for.
void write_time(JsonWriter& w, UnixSeconds t, bool all_day, const GraphZone& zone) {
    UnixSeconds local = all_day ? t : t + utc_offset(zone.zone, t);
    w.begin_object().field("dateTime", format_graph_local(local)).field("timeZone", zone.label).end_object();
}

}  // namespace

std::string graph_change_key(const Event& event) {
    std::string raw("\x0f\x00\x00\x00\x16\x00\x00\x00", 8);
    for (int i = 7; i >= 0; --i) raw += char((event.etag_clock >> (8 * i)) & 0xff);
    std::uint64_t h = mix64(event.etag_clock);
    for (int i = 0; i < 8; ++i) raw += char((h >> (8 * i)) & 0xff);
    return calsync::base64_encode(raw);
}

std::string graph_etag(const Event& event) { return concat({"W/\"", graph_change_key(event), "\""}); }

void write_graph_event(JsonWriter& w, const ViewItem& item, const CalendarInfo& cal, const GraphZone& zone) {
    const Event& e = item.event;
    w.begin_object().field("@odata.type", "#microsoft.graph.event");
    if (item.form != ViewItem::Form::full) {
        w.field("id", e.id).key("@removed").begin_object().field("reason", "deleted").end_object().end_object();
        return;
    }
    std::string change_key = graph_change_key(e);
    std::string original_zone = e.all_day ? "UTC" : windows_zone(e.time_zone);
    w.field("@odata.etag", concat({"W/\"", change_key, "\""})).field("id", e.id);
    w.field("createdDateTime", format_millis7(e.created_ms)).field("lastModifiedDateTime", format_millis7(e.updated_ms));
    w.field("changeKey", change_key).key("categories").begin_array().end_array().key("transactionId").null();
    w.field("originalStartTimeZone", original_zone).field("originalEndTimeZone", original_zone);
    std::string uid = event_ical_uid(Provider::microsoft, e);
    w.field("iCalUId", uid).field("uid", uid);
    w.key("reminderMinutesBeforeStart").num(15).key("isReminderOn").boolean(true);
    w.key("hasAttachments").boolean(false).field("subject", e.summary.value_or(""));
    w.field("bodyPreview", e.description.value_or("").substr(0, 255));
    w.field("importance", "normal").field("sensitivity", "normal");
    w.key("isAllDay").boolean(e.all_day).key("isCancelled").boolean(false).key("isOrganizer").boolean(true);
    w.key("responseRequested").boolean(true);
    w.key("seriesMasterId");
    if (e.is_exception()) w.str(e.recurring_event_id); else w.null();
    w.field("showAs", e.status == EventStatus::tentative ? "tentative" : e.all_day ? "free" : "busy");
    w.field("type", graph_type(item.kind));
    w.field("webLink", concat({"https://outlook.office365.com/owa/?itemid=", calsync::url_encode(e.id),
                               "&exvsurl=1&path=/calendar/item"}));
    w.key("onlineMeetingUrl").null().key("isOnlineMeeting").boolean(false).field("onlineMeetingProvider", "unknown");
    w.key("allowNewTimeProposals").boolean(true).key("isDraft").boolean(false).key("hideAttendees").boolean(false);
    if (e.is_exception()) w.field("originalStart", format_utc(e.original_start));
    w.key("responseStatus").begin_object().field("response", "organizer").field("time", "0001-01-01T00:00:00Z");
    w.end_object();
    w.key("body").begin_object().field("contentType", "html").field("content", e.description.value_or(""));
    w.end_object();
    w.key("start");
    write_time(w, e.start, e.all_day, zone);
    w.key("end");
    write_time(w, e.end, e.all_day, zone);
    std::string place = e.location.value_or("");
    w.key("location").begin_object().field("displayName", place).field("locationType", "default");
    w.field("uniqueIdType", place.empty() ? "unknown" : "private").key("address").begin_object().end_object();
    w.key("coordinates").begin_object().end_object().end_object();
    w.key("locations").begin_array();
    if (!place.empty()) {
        w.begin_object().field("displayName", place).field("locationType", "default");
        w.field("uniqueIdType", "private").end_object();
    }
    w.end_array();
    w.key("recurrence");
    if (e.is_series()) w.raw(graph_pattern_json(*e.rule, e.timing())); else w.null();
    w.key("attendees").begin_array().end_array();
    w.key("organizer").begin_object().key("emailAddress").begin_object();
    w.field("name", cal.owner_name).field("address", cal.owner_email).end_object().end_object();
    w.end_object();
}

}  // namespace emu
