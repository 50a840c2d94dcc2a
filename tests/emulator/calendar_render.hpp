// Events as Google Calendar v3 and Microsoft Graph print them. Works on
// copies (ViewItem, CalendarInfo), so pages are rendered without state.mu.
#pragma once

#include "calendar_view.hpp"
#include "json_writer.hpp"

#include <string>

namespace emu {

// What rendering needs to know about the calendar (a copy).
struct CalendarInfo {
    std::string id, name, time_zone, owner_email, owner_name;
    bool primary = false;
    Millis updated_ms = 0;
};
CalendarInfo calendar_info(const Calendar& cal);

// Google: "\"3512345678901000\"".
std::string google_etag(const Event& event);
void write_google_event(JsonWriter& w, const ViewItem& item, const CalendarInfo& cal);

// Graph: the changeKey and W/"changeKey" etag.
std::string graph_change_key(const Event& event);
std::string graph_etag(const Event& event);
// `zone`: the IANA zone times are shown in; `zone_label`: what the client asked for (Prefer: outlook.timezone).
struct GraphZone {
    std::string zone = "UTC", label = "UTC";
};
void write_graph_event(JsonWriter& w, const ViewItem& item, const CalendarInfo& cal, const GraphZone& zone);

// One event, e.g. for a control-API reply.
std::string render_event(Provider provider, const ViewItem& item, const CalendarInfo& cal);

}  // namespace emu
