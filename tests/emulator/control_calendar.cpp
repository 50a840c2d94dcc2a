// Control routes over calendars: create calendars, change events, expire
// sync tokens and read back the truth a fresh full listing would give.
#include "calendar_ops.hpp"
#include "calendar_render.hpp"
#include "calendar_view.hpp"
#include "control.hpp"
#include "http.hpp"

#include <algorithm>

namespace emu {
namespace {

User& need_user(State& state, const Json& body) {
    return state.ensure_user(need_provider(body.value("provider", "")), need_string(body, "email"));
}

Calendar& need_calendar(State& state, const User& user, const std::string& id) {
    Calendar* cal = state.calendars->find(user, id);
    if (!cal) throw ControlError(404, "user " + user.email + " has no calendar " + id);
    return *cal;
}

Json calendar_json(const Calendar& cal) {
    return {{"provider", provider_name(cal.provider)}, {"id", cal.id},        {"name", cal.name},
            {"primary", cal.primary},                  {"time_zone", cal.time_zone}, {"seq", cal.seq}};
}

Json create_calendar(State& state, const Json& body) {
    User& user = need_user(state, body);
    std::string time_zone = body.value("time_zone", "UTC");
    if (!known_zone(time_zone)) throw ControlError(400, "unknown time zone " + time_zone);
    if (body.value("primary", false)) {  // the primary exists already: rename it or change its zone
        Calendar& cal = state.calendars->primary(user);
        if (body.contains("name")) cal.name = need_string(body, "name");
        if (body.contains("time_zone")) cal.time_zone = canonical_zone(time_zone);
        return calendar_json(cal);
    }
    std::string id = body.value("id", "");
    if (!id.empty() && state.calendars->find(user, id)) throw ControlError(409, "calendar " + id + " exists");
    Calendar& cal = state.calendars->create(user, id, need_string(body, "name"), canonical_zone(time_zone));
    return calendar_json(cal);
}

Json list_calendars(State& state, const httplib::Request& req) {
    User& user = state.ensure_user(need_provider(param(req, "provider")), param(req, "email"));
    Json out = Json::array();
    for (Calendar* cal : state.calendars->calendars_of(user)) out.push_back(calendar_json(*cal));
    return out;
}

Json reply_for(const Calendar& cal, const Event& event) {
    return Json::parse(render_event(cal.provider, record_item(event), calendar_info(cal)));
}

Json change_events(State& state, const Json& body) {
    User& user = need_user(state, body);
    CalendarStore& store = *state.calendars;
    Calendar& cal = need_calendar(state, user, body.value("calendar", "primary"));
    std::string op = need_string(body, "op");
    Millis now = now_ms();
    if (op == "create") return reply_for(cal, create_event(store, cal, parse_changes(body), now));
    std::string id = need_string(body, "id");
    if (op == "update") return reply_for(cal, update_event(store, cal, id, parse_changes(body), now));
    if (op == "delete") {
        delete_event(store, cal, id, now);
        return {{"id", id}, {"deleted", true}};
    }
    if (op == "move") {
        Calendar& to = need_calendar(state, user, need_string(body, "to_calendar"));
        return reply_for(to, move_event(store, cal, id, to, now));
    }
    UnixSeconds original_start = parse_original_start(need_string(body, "original_start"));
    if (op == "cancel_instance") return reply_for(cal, cancel_instance(store, cal, id, original_start, now));
    if (op == "edit_instance")
        return reply_for(cal, edit_instance(store, cal, id, original_start, parse_changes(body), now));
    throw ControlError(400, "\"op\" must be create, update, delete, move, cancel_instance or edit_instance");
}

Json expire(State& state, const Json& body) {
    User& user = need_user(state, body);
    std::string which = body.value("calendar", "primary");
    Json expired = Json::array();
    for (Calendar* cal : state.calendars->calendars_of(user)) {
        if (which != "*" && cal != &need_calendar(state, user, which)) continue;
        ++cal->epoch;
        expired.push_back(cal->id);
    }
    return {{"expired", expired}};
}

std::string when(UnixSeconds t, bool all_day) { return all_day ? format_date(t) : format_utc(t); }

Json truth_row(const Calendar& cal, const ViewItem& item) {
    const Event& e = item.event;
    bool google = cal.provider == Provider::google;
    bool cancelled = item.form == ViewItem::Form::cancelled_instance;
    bool occurrence = e.is_exception();  // occurrences and exceptions carry their master
    const char* kind = "single";
    if (item.kind == ViewItem::Kind::series) kind = "series";
    if (item.kind == ViewItem::Kind::exception) kind = "exception";
    if (item.kind == ViewItem::Kind::occurrence) kind = google ? "exception" : "instance";
    Json row = {{"id", e.id}, {"status", cancelled ? "cancelled" : google ? std::string(status_name(e.status)) : "confirmed"}};
    row["kind"] = kind;
    // A cancelled occurrence carries only its original start: summary and location are absent.
    if (google) {
        row["summary"] = !cancelled && e.summary ? Json(*e.summary) : Json(nullptr);
        row["location"] = !cancelled && e.location ? Json(*e.location) : Json(nullptr);
    } else {
        row["summary"] = e.summary.value_or("");
        row["location"] = e.location && !e.location->empty() ? Json(*e.location) : Json(nullptr);
    }
    row["start"] = when(cancelled ? e.original_start : e.start, e.all_day);
    row["end"] = when(cancelled ? e.original_start : e.end, e.all_day);
    row["all_day"] = e.all_day;
    row["recurring_event_id"] = occurrence ? Json(e.recurring_event_id) : Json(nullptr);
    row["original_start"] = occurrence ? Json(when(e.original_start, e.all_day)) : Json(nullptr);
    row["etag"] = google ? google_etag(e) : graph_etag(e);
    row["updated"] = cancelled ? Json(nullptr) : Json(google ? format_millis(e.updated_ms) : format_millis7(e.updated_ms));
    return row;
}

// What a fresh full listing gives: Google events.list with singleEvents=false
// and showDeleted=false; Graph calendarView over the window.
Json truth(State& state, const httplib::Request& req) {
    Provider provider = need_provider(param(req, "provider"));
    User* user = state.find_user(provider, param(req, "email"));
    if (!user) throw ControlError(404, "no such user");
    std::string which = param(req, "calendar");
    Calendar& cal = need_calendar(state, *user, which.empty() ? "primary" : which);
    CalendarStore& store = *state.calendars;
    std::vector<ViewItem> items;
    PagePosition position;
    if (provider == Provider::google) {
        GoogleQuery query;
        walk_by_id(cal, position, SIZE_MAX, [&](const Event& record, std::vector<ViewItem>& out) {
            google_items(store, cal, record, query, out);
        }, items);
    } else {
        auto start = parse_iso_lenient(param(req, "window_start")), end = parse_iso_lenient(param(req, "window_end"));
        if (!start || !end) throw ControlError(400, "Graph truth needs window_start and window_end (RFC 3339)");
        walk_by_id(cal, position, SIZE_MAX, [&](const Event& record, std::vector<ViewItem>& out) {
            graph_window_items(store, cal, record, *start, *end, out);
        }, items);
    }
    std::sort(items.begin(), items.end(), [](const ViewItem& a, const ViewItem& b) { return a.event.id < b.event.id; });
    Json out = Json::array();
    for (const auto& item : items) out.push_back(truth_row(cal, item));
    return out;
}

}  // namespace

void register_control_calendar(httplib::Server& server, State& state) {
    control_route(server, state, "POST", "/calendars",
                  [&state](const Json& body, const auto&) { return create_calendar(state, body); });
    control_route(server, state, "GET", "/calendars",
                  [&state](const Json&, const auto& req) { return list_calendars(state, req); });
    control_route(server, state, "POST", "/events",
                  [&state](const Json& body, const auto&) { return change_events(state, body); });
    control_route(server, state, "POST", "/sync/expire",
                  [&state](const Json& body, const auto&) { return expire(state, body); });
    control_route(server, state, "GET", "/truth", [&state](const Json&, const auto& req) { return truth(state, req); });
    register_control_seed(server, state);
}

}  // namespace emu
