// Microsoft Graph calendars: GET /me/calendars and calendarView delta
// (/me/calendarView/delta and /me/calendars/{id}/calendarView/delta) as
// PROTOCOL.md §6 describes: the window and position live in the
// $skiptoken/$deltatoken of absolute links, occurrences are expanded,
// deletions and departures from the window come as @removed.
#include "auth.hpp"
#include "calendar_render.hpp"
#include "calendar_view.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "routes.hpp"

#include <algorithm>
#include <cctype>

namespace emu {
namespace {

constexpr std::size_t kDefaultPageSize = 10, kMaxPageSize = 1000;

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

struct Preferences {
    std::size_t page_size = kDefaultPageSize;
    bool page_size_asked = false;
    GraphZone zone;
    bool zone_applied = false;
};

// Prefer may come as several headers or as one comma-separated list.
Preferences read_prefer(const httplib::Request& req) {
    Preferences p;
    size_t n = req.get_header_value_count("Prefer");
    for (size_t i = 0; i < n; ++i) {
        std::string value = req.get_header_value("Prefer", i);
        std::string part;
        bool quoted = false;
        for (size_t k = 0; k <= value.size(); ++k) {
            char c = k < value.size() ? value[k] : ',';
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted) {
                part = trim(part);
                size_t eq = part.find('=');
                std::string name = trim(part.substr(0, eq)), arg = eq == std::string::npos ? "" : trim(part.substr(eq + 1));
                if (arg.size() >= 2 && arg.front() == '"' && arg.back() == '"') arg = arg.substr(1, arg.size() - 2);
                if (name == "odata.maxpagesize" && !arg.empty() && arg.size() < 8 &&
                    arg.find_first_not_of("0123456789") == std::string::npos && std::stoi(arg) > 0) {
                    p.page_size = std::min<std::size_t>(std::stoul(arg), kMaxPageSize);
                    p.page_size_asked = true;
                } else if (name == "outlook.timezone" && known_zone(arg)) {
                    p.zone = {canonical_zone(arg), arg};
                    p.zone_applied = true;
                }
                part.clear();
                continue;
            }
            part += c;
        }
    }
    return p;
}

void send_expired(const State& state, const httplib::Request& req, httplib::Response& res) {
    int status = state.config.graph_expired_status;
    std::string code = state.config.graph_expired_code;
    if (code.empty()) code = status == 410 ? "resyncRequired" : "syncStateNotFound";
    std::string message =
        code == "resyncRequired"
            ? "The delta token is no longer valid, and the app must reset the sync state."
            : "The sync state generation is not found. The delta token is expired and data must be synchronized again.";
    send_graph_error(req, res, status, code, message);
}

// A round over the calendar's state now: `until` is its current sequence.
Round new_round(const Calendar& cal, bool incremental, std::uint64_t since, std::uint64_t epoch,
                UnixSeconds window_start, UnixSeconds window_end) {
    Round round;
    round.calendar_key = cal.key;
    round.incremental = incremental;
    round.since = since;
    round.until = cal.seq;
    round.epoch = epoch;
    round.window_start = window_start;
    round.window_end = window_end;
    return round;
}

struct Page {
    CalendarInfo calendar;
    std::vector<ViewItem> items;
    std::string next_link, delta_link, context;
};

void send_page(httplib::Response& res, const Page& page, const Preferences& prefs) {
    JsonWriter w;
    w.reserve(page.items.size() * 1800 + 512);
    w.begin_object().field("@odata.context", page.context);
    if (!page.next_link.empty()) w.field("@odata.nextLink", page.next_link);
    if (!page.delta_link.empty()) w.field("@odata.deltaLink", page.delta_link);
    w.key("value").begin_array();
    for (const auto& item : page.items) write_graph_event(w, item, page.calendar, prefs.zone);
    w.end_array().end_object();
    std::string applied;
    if (prefs.page_size_asked) applied = "odata.maxpagesize=" + std::to_string(prefs.page_size);
    if (prefs.zone_applied) {
        if (!applied.empty()) applied += ", ";
        applied += "outlook.timezone=\"" + prefs.zone.label + "\"";
    }
    if (!applied.empty()) res.set_header("Preference-Applied", applied);
    res.status = 200;
    res.set_content(w.take(), "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8");
}

void delta(State& state, const httplib::Request& req, httplib::Response& res, const std::string& calendar_id) {
    auto who = authenticate(state, req, res, Api::graph);
    if (!who || !require_scope(*who, req, res, Api::graph, kGraphCalendarScopes)) return;
    for (const char* name : {"$select", "$expand", "$filter", "$orderby", "$search", "$top"}) {
        if (req.has_param(name))
            return send_graph_error(req, res, 400, "ErrorInvalidParameter",
                                    "The following parameters are not supported with change tracking over the "
                                    "'CalendarView' resource: '$orderby, $filter, $select, $expand, $search, $top'.");
    }
    Preferences prefs = read_prefer(req);
    std::string skip_token = param(req, "$skiptoken"), delta_token = param(req, "$deltatoken");
    std::optional<UnixSeconds> window_start, window_end;
    if (skip_token.empty() && delta_token.empty()) {
        std::string start = param(req, "startDateTime"), end = param(req, "endDateTime");
        if (start.empty() || end.empty())
            return send_graph_error(req, res, 400, "ErrorInvalidParameter",
                                    "This request requires a time window specified by the query string parameters "
                                    "StartDateTime and EndDateTime.");
        window_start = parse_iso_lenient(start);
        window_end = parse_iso_lenient(end);
        if (!window_start || !window_end)
            return send_graph_error(req, res, 400, "ErrorInvalidParameter",
                                    "The value of parameter 'StartDateTime' or 'EndDateTime' is invalid.");
    }

    Page page;
    {
        std::lock_guard lock(state.mu);
        CalendarStore& store = *state.calendars;
        User* user = state.user(who->user_id);
        Calendar* cal = user ? store.find(*user, calendar_id) : nullptr;
        if (!cal)
            return send_graph_error(req, res, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
        Round round;
        if (!skip_token.empty()) {
            const Round* stored = store.tokens.page(skip_token);
            if (!stored || stored->calendar_key != cal->key || (stored->incremental && stored->epoch != cal->epoch))
                return send_expired(state, req, res);
            round = *stored;
        } else if (!delta_token.empty()) {
            const Cursor* cursor = store.tokens.cursor(delta_token);
            if (!cursor || cursor->calendar_key != cal->key || cursor->epoch != cal->epoch)
                return send_expired(state, req, res);
            round = new_round(*cal, true, cursor->seq, cursor->epoch, cursor->window_start, cursor->window_end);
        } else {
            round = new_round(*cal, false, 0, cal->epoch, *window_start, *window_end);
        }
        ++round.pages_served;
        std::size_t limit = prefs.page_size;
        if (state.config.page_size_cap > 0) limit = std::min(limit, std::size_t(state.config.page_size_cap));
        bool more = true;
        if (!(state.config.empty_pages >= 2 && round.pages_served % state.config.empty_pages == 0)) {
            more = round.incremental
                       ? walk_changes(*cal, round.since, round.until, round.position, limit,
                                      [&](const Event& record, std::vector<ViewItem>& out) {
                                          graph_change_items(store, *cal, record, round.since, round.window_start,
                                                             round.window_end, out);
                                      },
                                      page.items)
                       : walk_by_id(*cal, round.position, limit,
                                    [&](const Event& record, std::vector<ViewItem>& out) {
                                        graph_window_items(store, *cal, record, round.window_start, round.window_end,
                                                           out);
                                    },
                                    page.items);
        }
        std::string link = state.base_url + req.path;
        if (more) {
            page.next_link = link + "?$skiptoken=" + store.tokens.issue_page(round, true);
        } else {
            Cursor next{cal->key, round.until, round.epoch, round.window_start, round.window_end};
            page.delta_link = link + "?$deltatoken=" + store.tokens.issue_cursor(next, true);
        }
        page.context = state.base_url + "/graph/v1.0/$metadata#Collection(event)";
        page.calendar = calendar_info(*cal);
    }
    send_page(res, page, prefs);
}

void list_calendars(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::graph);
    if (!who || !require_scope(*who, req, res, Api::graph, kGraphCalendarScopes)) return;
    auto count_param = [&](const char* name, std::size_t fallback) -> std::optional<std::size_t> {
        if (!req.has_param(name)) return fallback;
        std::string v = req.get_param_value(name);
        if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        return std::stoul(v);
    };
    auto top = count_param("$top", 10), skip = count_param("$skip", 0);
    if (!top || !skip || *top == 0)
        return send_graph_error(req, res, 400, "BadRequest", "Invalid $top or $skip value.");
    std::vector<CalendarInfo> calendars;
    std::string base;
    {
        std::lock_guard lock(state.mu);
        base = state.base_url;
        if (User* user = state.user(who->user_id)) {
            for (Calendar* cal : state.calendars->calendars_of(*user)) calendars.push_back(calendar_info(*cal));
        }
    }
    JsonWriter w;
    w.begin_object().field("@odata.context", base + "/graph/v1.0/$metadata#users('" + who->user_id + "')/calendars");
    std::size_t end = std::min(calendars.size(), *skip + *top);
    if (end < calendars.size())
        w.field("@odata.nextLink", base + "/graph/v1.0/me/calendars?$top=" + std::to_string(*top) +
                                       "&$skip=" + std::to_string(end));
    w.key("value").begin_array();
    for (std::size_t i = std::min(*skip, calendars.size()); i < end; ++i) {
        const CalendarInfo& cal = calendars[i];
        w.begin_object().field("id", cal.id).field("name", cal.name).field("color", "auto").field("hexColor", "");
        w.key("isDefaultCalendar").boolean(cal.primary);
        w.field("changeKey", concat({"fJKVL07sbkmIfHqjbDnRgQAA", std::to_string(stable_hash(cal.id) % 100000)}));
        w.key("canShare").boolean(true).key("canViewPrivateItems").boolean(true).key("canEdit").boolean(true);
        w.key("allowedOnlineMeetingProviders").begin_array().str("teamsForBusiness").end_array();
        w.field("defaultOnlineMeetingProvider", "teamsForBusiness").key("isTallyingResponses").boolean(true);
        w.key("isRemovable").boolean(!cal.primary);
        w.key("owner").begin_object().field("name", cal.owner_name).field("address", cal.owner_email).end_object();
        w.end_object();
    }
    w.end_array().end_object();
    res.status = 200;
    res.set_content(w.take(), "application/json; odata.metadata=minimal; charset=utf-8");
}

}  // namespace

void register_graph_calendar(httplib::Server& server, State& state) {
    provider_get(server, "/graph/v1.0/me/calendars",
                 [&state](const auto& req, auto& res) { list_calendars(state, req, res); });
    // Graph paths are case-insensitive; clients write calendarView and calendarview.
    provider_get(server, R"(/graph/v1.0/me/(?:calendar/)?calendar[Vv]iew/delta)",
                 [&state](const auto& req, auto& res) { delta(state, req, res, "primary"); });
    provider_get(server, R"(/graph/v1.0/me/calendars/([^/]+)/calendar[Vv]iew/delta)",
                 [&state](const auto& req, auto& res) { delta(state, req, res, req.matches[1].str()); });
}

}  // namespace emu
