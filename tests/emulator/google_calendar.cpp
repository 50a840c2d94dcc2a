// Google Calendar v3: calendarList.list and events.list, with full and
// incremental sync as PROTOCOL.md §2 describes (page tokens bound to the
// query, nextSyncToken only on the last page and taken as of the start of
// the listing, 410 fullSyncRequired for invalidated sync tokens).
#include "auth.hpp"
#include "calendar_render.hpp"
#include "calendar_view.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "routes.hpp"
#include "util/encoding.hpp"

#include <algorithm>

namespace emu {
namespace {

const Scopes kCalendarListScopes = {"https://www.googleapis.com/auth/calendar",
                                    "https://www.googleapis.com/auth/calendar.readonly",
                                    "https://www.googleapis.com/auth/calendar.calendarlist",
                                    "https://www.googleapis.com/auth/calendar.calendarlist.readonly"};
// events.list parameters that cannot come with syncToken.
const char* const kNotWithSyncToken[] = {"iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty",
                                         "timeMin", "timeMax", "updatedMin"};
constexpr int kDefaultMaxResults = 250, kMaxMaxResults = 2500;

struct GoogleError {
    int status;
    std::string reason, message, location;
    std::string domain = "global";
};

void send_error(httplib::Response& res, const GoogleError& e) {
    Json error = {{"domain", e.domain}, {"reason", e.reason}, {"message", e.message}};
    if (!e.location.empty()) {
        error["locationType"] = "parameter";
        error["location"] = e.location;
    }
    send_json(res, e.status,
              Json{{"error", {{"errors", Json::array({error})}, {"code", e.status}, {"message", e.message}}}});
}

GoogleError full_sync_required() {
    return {410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.", "syncToken",
            "calendar"};
}
GoogleError invalid(const std::string& param, const std::string& message = "") {
    return {400, "invalid", message.empty() ? "Invalid Value" : message, param};
}

// "true" / "false" / absent.
std::optional<bool> flag(const httplib::Request& req, const char* name, GoogleError& error, bool& ok) {
    if (!req.has_param(name)) return std::nullopt;
    std::string v = req.get_param_value(name);
    if (v == "true") return true;
    if (v == "false") return false;
    error = invalid(name);
    ok = false;
    return std::nullopt;
}

// The request's parameters but pageToken, in a fixed order: what a page token is bound to.
std::string query_fingerprint(const httplib::Request& req) {
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& [k, v] : req.params) {
        if (k != "pageToken") params.emplace_back(k, v);
    }
    std::sort(params.begin(), params.end());
    return calsync::form_encode(params);
}

struct ListRequest {
    GoogleQuery query;
    int max_results = kDefaultMaxResults;
    std::string page_token, sync_token;
};

// Validates the parameters; on failure fills `error` and returns nullopt.
std::optional<ListRequest> parse_list_request(const httplib::Request& req, GoogleError& error) {
    ListRequest r;
    r.page_token = param(req, "pageToken");
    r.sync_token = param(req, "syncToken");
    if (req.has_param("maxResults")) {
        std::string v = req.get_param_value("maxResults");
        if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1) {
            error = invalid("maxResults");
            return std::nullopt;
        }
        r.max_results = std::min(std::stoi(v), kMaxMaxResults);
    }
    bool ok = true;
    auto show_deleted = flag(req, "showDeleted", error, ok);
    auto single_events = flag(req, "singleEvents", error, ok);
    if (!ok) return std::nullopt;
    r.query.show_deleted = show_deleted.value_or(false);
    r.query.single_events = single_events.value_or(false);
    if (!r.sync_token.empty()) {
        for (const char* name : kNotWithSyncToken) {
            if (req.has_param(name)) {
                error = invalid(name, std::string("The parameter ") + name + " cannot be used with syncToken.");
                return std::nullopt;
            }
        }
        if (show_deleted == false) {
            error = invalid("showDeleted", "showDeleted cannot be false with syncToken.");
            return std::nullopt;
        }
        r.query.incremental = true;
        return r;
    }
    for (const char* name : {"timeMin", "timeMax"}) {
        if (!req.has_param(name)) continue;
        auto t = parse_rfc3339_strict(req.get_param_value(name));
        if (!t) {
            error = {400, "badRequest", "Bad Request", name};
            return std::nullopt;
        }
        (std::string(name) == "timeMin" ? r.query.time_min : r.query.time_max) = *t;
    }
    if (r.query.time_min && r.query.time_max && *r.query.time_max <= *r.query.time_min) {
        error = {400, "timeRangeEmpty", "The specified time range is empty.", "timeMax"};
        return std::nullopt;
    }
    if (req.has_param("updatedMin")) {
        auto t = parse_rfc3339_strict(req.get_param_value("updatedMin"));
        if (!t) {
            error = {400, "badRequest", "Bad Request", "updatedMin"};
            return std::nullopt;
        }
        r.query.updated_min = Millis(*t) * 1000;
    }
    std::string order_by = param(req, "orderBy");
    if (!order_by.empty() && order_by != "updated" && !(order_by == "startTime" && r.query.single_events)) {
        error = {400, "badRequest", "The requested ordering is not available for the particular query.", "orderBy"};
        return std::nullopt;
    }
    r.query.ical_uid = param(req, "iCalUID");
    r.query.q = param(req, "q");
    return r;
}

// A round over the calendar's state now: `until` is its current sequence.
Round new_round(const Calendar& cal, const std::string& query, std::uint64_t since, std::uint64_t epoch,
                bool incremental) {
    Round round;
    round.calendar_key = cal.key;
    round.query = query;
    round.incremental = incremental;
    round.since = since;
    round.until = cal.seq;
    round.epoch = epoch;
    return round;
}

struct Page {
    CalendarInfo calendar;
    std::vector<ViewItem> items;
    std::string next_page_token, next_sync_token;
};

void send_page(httplib::Response& res, const Page& page) {
    JsonWriter w;
    w.reserve(page.items.size() * 700 + 512);
    w.begin_object().field("kind", "calendar#events");
    w.field("etag", concat({"\"p3", std::to_string(page.calendar.updated_ms), "000\""}));
    w.field("summary", page.calendar.name).field("updated", format_millis(page.calendar.updated_ms));
    w.field("timeZone", page.calendar.time_zone).field("accessRole", "owner");
    w.key("defaultReminders").begin_array();
    if (page.calendar.primary) w.begin_object().field("method", "popup").key("minutes").num(10).end_object();
    w.end_array();
    if (!page.next_page_token.empty()) w.field("nextPageToken", page.next_page_token);
    if (!page.next_sync_token.empty()) w.field("nextSyncToken", page.next_sync_token);
    w.key("items").begin_array();
    for (const auto& item : page.items) write_google_event(w, item, page.calendar);
    w.end_array().end_object();
    res.status = 200;
    res.set_header("Cache-Control", "private, max-age=0, must-revalidate, no-transform");
    res.set_content(w.take(), "application/json; charset=UTF-8");
}

void list_events(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::google_api);
    if (!who || !require_scope(*who, req, res, Api::google_api, kGoogleEventScopes)) return;
    GoogleError error{};
    auto request = parse_list_request(req, error);
    if (!request) return send_error(res, error);
    std::string fingerprint = query_fingerprint(req);

    // Pick the page under the lock; render it after.
    Page page;
    {
        std::lock_guard lock(state.mu);
        CalendarStore& store = *state.calendars;
        User* user = state.user(who->user_id);
        Calendar* cal = user ? store.find(*user, req.matches[1].str()) : nullptr;
        if (!cal) return send_error(res, {404, "notFound", "Not Found", ""});
        Round round;
        if (!request->page_token.empty()) {
            const Round* stored = store.tokens.page(request->page_token);
            if (!stored || stored->calendar_key != cal->key || stored->query != fingerprint)
                return send_error(res, invalid("pageToken", "Invalid page token value."));
            // A page of an incremental round stands on its sync token.
            if (stored->incremental && stored->epoch != cal->epoch) return send_error(res, full_sync_required());
            round = *stored;
        } else if (!request->sync_token.empty()) {
            const Cursor* cursor = store.tokens.cursor(request->sync_token);
            if (!cursor || cursor->calendar_key != cal->key || cursor->epoch != cal->epoch)
                return send_error(res, full_sync_required());
            round = new_round(*cal, fingerprint, cursor->seq, cursor->epoch, true);
        } else {
            // The sync token at the end is as of now, so whatever changes while
            // the client pages comes back in its next incremental round.
            round = new_round(*cal, fingerprint, 0, cal->epoch, false);
        }
        ++round.pages_served;
        std::size_t limit = std::size_t(request->max_results);
        if (state.config.page_size_cap > 0) limit = std::min(limit, std::size_t(state.config.page_size_cap));
        bool more = true;
        if (!(state.config.empty_pages >= 2 && round.pages_served % state.config.empty_pages == 0)) {
            Expander expand = [&](const Event& record, std::vector<ViewItem>& out) {
                google_items(store, *cal, record, request->query, out);
            };
            more = round.incremental
                       ? walk_changes(*cal, round.since, round.until, round.position, limit, expand, page.items)
                       : walk_by_id(*cal, round.position, limit, expand, page.items);
        }
        if (more) {
            page.next_page_token = store.tokens.issue_page(round, false);
        } else {
            page.next_sync_token = store.tokens.issue_cursor(Cursor{cal->key, round.until, round.epoch}, false);
        }
        page.calendar = calendar_info(*cal);
    }
    send_page(res, page);
}

void write_calendar_entry(JsonWriter& w, const CalendarInfo& cal) {
    w.begin_object().field("kind", "calendar#calendarListEntry");
    w.field("etag", concat({"\"", std::to_string(stable_hash(cal.id) % 10000000000000000ULL), "\""}));
    w.field("id", cal.id).field("summary", cal.name).field("timeZone", cal.time_zone);
    w.field("colorId", cal.primary ? "14" : "7").field("backgroundColor", cal.primary ? "#9fe1e7" : "#42d692");
    w.field("foregroundColor", "#000000").key("selected").boolean(true).field("accessRole", "owner");
    w.key("defaultReminders").begin_array();
    if (cal.primary) w.begin_object().field("method", "popup").key("minutes").num(10).end_object();
    w.end_array();
    w.key("conferenceProperties").begin_object().key("allowedConferenceSolutionTypes").begin_array();
    w.str("hangoutsMeet").end_array().end_object();
    if (cal.primary) w.key("primary").boolean(true);
    w.end_object();
}

void list_calendars(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::google_api);
    if (!who || !require_scope(*who, req, res, Api::google_api, kCalendarListScopes)) return;
    int max_results = 100;
    if (req.has_param("maxResults")) {
        std::string v = req.get_param_value("maxResults");
        if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1)
            return send_error(res, invalid("maxResults"));
        max_results = std::min(std::stoi(v), 250);
    }
    std::size_t offset = 0;
    if (std::string token = param(req, "pageToken"); !token.empty()) {
        auto decoded = calsync::base64_decode(token);
        if (!decoded || decoded->rfind("calendarList:", 0) != 0) return send_error(res, invalid("pageToken"));
        offset = std::stoul(decoded->substr(13));
    }
    std::vector<CalendarInfo> calendars;
    {
        std::lock_guard lock(state.mu);
        User* user = state.user(who->user_id);
        if (user) {
            for (Calendar* cal : state.calendars->calendars_of(*user)) calendars.push_back(calendar_info(*cal));
        }
    }
    JsonWriter w;
    w.begin_object().field("kind", "calendar#calendarList");
    w.field("etag", concat({"\"p3", std::to_string(calendars.size()), "\""}));
    std::size_t end = std::min(calendars.size(), offset + std::size_t(max_results));
    if (end < calendars.size())
        w.field("nextPageToken", calsync::base64_encode(concat({"calendarList:", std::to_string(end)})));
    w.key("items").begin_array();
    for (std::size_t i = offset; i < end; ++i) write_calendar_entry(w, calendars[i]);
    w.end_array().end_object();
    res.status = 200;
    res.set_content(w.take(), "application/json; charset=UTF-8");
}

}  // namespace

void register_google_calendar(httplib::Server& server, State& state) {
    provider_get(server, "/google/calendar/v3/users/me/calendarList",
                 [&state](const auto& req, auto& res) { list_calendars(state, req, res); });
    provider_get(server, R"(/google/calendar/v3/calendars/([^/]+)/events)",
                 [&state](const auto& req, auto& res) { list_events(state, req, res); });
}

}  // namespace emu
