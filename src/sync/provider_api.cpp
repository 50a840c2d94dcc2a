#include "sync/provider_api.hpp"

#include <nlohmann/json.hpp>

#include "util/encoding.hpp"
#include "util/time.hpp"

namespace calsync {
namespace {

using json = nlohmann::json;

std::string origin_of(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? url : url.substr(0, slash);
}

}  // namespace

std::string api_error_code(const HttpResponse& r) {
    try {
        json j = json::parse(r.body);
        if (!j.contains("error")) return "";
        const json& e = j["error"];
        if (e.is_string()) return e.get<std::string>();
        // Google: error.errors[0].reason; Graph: error.code (walk innerError for detail codes).
        if (e.contains("errors") && e["errors"].is_array() && !e["errors"].empty())
            return e["errors"][0].value("reason", "");
        std::string code = e.value("code", "");
        const json* inner = &e;
        while (inner->contains("innerError") || inner->contains("innererror")) {
            inner = inner->contains("innerError") ? &(*inner)["innerError"] : &(*inner)["innererror"];
            if (inner->is_object() && inner->contains("code") && (*inner)["code"].is_string())
                code = (*inner)["code"].get<std::string>();
            if (!inner->is_object()) break;
        }
        return code;
    } catch (const json::exception&) {
        return "";
    }
}

std::string describe_api_error(const std::string& context, const HttpResponse& r) {
    std::string code = api_error_code(r);
    std::string message;
    try {
        json j = json::parse(r.body);
        if (j.contains("error") && j["error"].is_object()) message = j["error"].value("message", "");
    } catch (const json::exception&) {
    }
    if (message.size() > 160) message = message.substr(0, 160) + "…";
    return context + ": HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
           (message.empty() ? "" : " (" + message + ")");
}

HttpResponse ProviderApi::get(const Integration& integration, const std::string& url, const Headers& extra) {
    return tokens_.call(integration, [&](const Secret& token) {
        HttpRequest req{"GET", url, {{"Authorization", "Bearer " + token.reveal()}, {"Accept", "application/json"}}, ""};
        for (const auto& h : extra) req.headers.push_back(h);
        return send_with_retry(http_, req, retry_);
    });
}

PendingGet ProviderApi::start_get(const Integration& integration, const std::string& url, const Headers& extra,
                                  std::function<void(HttpResponse&)> on_success) {
    Secret token = tokens_.access_token(integration);
    HttpRequest req{"GET", url, {{"Authorization", "Bearer " + token.reveal()}, {"Accept", "application/json"}}, ""};
    for (const auto& h : extra) req.headers.push_back(h);
    auto response = std::async(std::launch::async, [this, req = std::move(req), then = std::move(on_success)] {
        HttpResponse r = send_with_retry(http_, req, retry_);
        if (then && r.ok()) then(r);
        return r;
    });
    return PendingGet(*this, integration, url, extra, std::move(response));
}

HttpResponse PendingGet::wait() {
    HttpResponse r = response_.get();
    // A token rejected after all: the ordinary path refreshes it and asks again.
    if (r.status == 401) return api_.get(integration_, url_, extra_);
    return r;
}

HttpResponse ProviderApi::send(const Integration& integration, const std::string& method, const std::string& url,
                               const std::string& json_body) {
    return tokens_.call(integration, [&](const Secret& token) {
        HttpRequest req{method, url, {{"Authorization", "Bearer " + token.reveal()}, {"Accept", "application/json"}},
                        json_body};
        if (!json_body.empty()) req.headers.emplace_back("Content-Type", "application/json");
        return send_with_retry(http_, req, retry_);
    });
}

std::vector<DiscoveredCalendar> ProviderApi::list_calendars(const Integration& integration) {
    std::vector<DiscoveredCalendar> out;
    bool google = integration.provider == Provider::google;
    std::string url = google ? config_.google.api_url + "/users/me/calendarList?maxResults=250"
                             : config_.microsoft.graph_url + "/me/calendars?$top=100";
    std::string context = std::string(to_string(integration.provider)) + ": listing calendars of integration " +
                          std::to_string(integration.id);
    while (!url.empty()) {
        HttpResponse r = get(integration, url);
        if (!r.ok()) throw ProviderError(describe_api_error(context, r), r.status, api_error_code(r));
        json j = json::parse(r.body);
        const json& items = google ? j.value("items", json::array()) : j.value("value", json::array());
        for (const auto& c : items) {
            DiscoveredCalendar d;
            d.id = c.value("id", "");
            if (d.id.empty() || (google && c.value("deleted", false))) continue;
            d.name = google ? c.value("summaryOverride", c.value("summary", "")) : c.value("name", "");
            d.time_zone = google ? c.value("timeZone", "") : "";
            d.is_primary = google ? c.value("primary", false) : c.value("isDefaultCalendar", false);
            out.push_back(d);
        }
        if (google) {
            std::string next = j.value("nextPageToken", "");
            url = next.empty() ? "" : config_.google.api_url + "/users/me/calendarList?maxResults=250&pageToken=" +
                                          url_encode(next);
        } else {
            url = j.value("@odata.nextLink", "");
            if (!url.empty()) check_graph_link(url);
        }
    }
    return out;
}

std::string ProviderApi::google_events_url(const std::string& calendar_id, const std::string* sync_token,
                                           const std::string* page_token, int page_size) const {
    // The same parameters on every request of every round, as Google recommends;
    // syncToken forbids timeMin/timeMax/orderBy/q/updatedMin.
    std::string url = config_.google.api_url + "/calendars/" + url_encode(calendar_id) +
                      "/events?maxResults=" + std::to_string(page_size) + "&showDeleted=true&singleEvents=false";
    if (sync_token) url += "&syncToken=" + url_encode(*sync_token);
    if (page_token) url += "&pageToken=" + url_encode(*page_token);
    return url;
}

std::string ProviderApi::graph_delta_url(const Calendar& calendar, int64_t window_start, int64_t window_end) const {
    // v1.0 documents /me/calendarView/delta for the default calendar; other
    // calendars use the per-calendar form real clients call.
    std::string base = calendar.is_primary
                           ? config_.microsoft.graph_url + "/me/calendarView/delta"
                           : config_.microsoft.graph_url + "/me/calendars/" + url_encode(calendar.provider_calendar_id) +
                                 "/calendarView/delta";
    return base + "?startDateTime=" + url_encode(format_rfc3339(window_start)) +
           "&endDateTime=" + url_encode(format_rfc3339(window_end));
}

void ProviderApi::check_graph_link(const std::string& url) const {
    if (origin_of(url) != origin_of(config_.microsoft.graph_url))
        throw ProviderError("microsoft: refusing to follow a link to " + origin_of(url) +
                                " (not the configured graph-url host)", 0);
}

}  // namespace calsync
