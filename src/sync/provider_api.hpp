// Authenticated reads from the calendar APIs (Google Calendar v3, Graph):
// requests carry the integration's access token (refreshed as needed by
// TokenManager), are retried per the retry policy, and links the provider
// hands back (nextLink/deltaLink) are only followed on the configured host,
// so a token is never sent elsewhere.
#pragma once

#include <functional>
#include <future>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "http/retry.hpp"
#include "oauth/token_manager.hpp"
#include "store/calendars.hpp"
#include "store/integrations.hpp"

namespace calsync {

class ProviderApi;

// A GET running on its own thread (see ProviderApi::start_get).
class PendingGet {
public:
    // The response, as get() would return it; call on the thread that started it.
    HttpResponse wait();

private:
    friend class ProviderApi;
    PendingGet(ProviderApi& api, const Integration& integration, std::string url, Headers extra,
               std::future<HttpResponse> response)
        : api_(api), integration_(integration), url_(std::move(url)), extra_(std::move(extra)),
          response_(std::move(response)) {}
    ProviderApi& api_;
    const Integration& integration_;
    std::string url_;
    Headers extra_;
    std::future<HttpResponse> response_;
};

class ProviderApi {
public:
    ProviderApi(const Config& config, HttpClient& http, TokenManager& tokens, RetryPolicy retry = {})
        : config_(config), http_(http), tokens_(tokens), retry_(retry) {}

    // GET with bearer token and retries; returns the final response (any status).
    HttpResponse get(const Integration& integration, const std::string& url, const Headers& extra = {});
    // Starts get() on another thread, so a page downloads while the caller
    // stores the previous one. The token is read here: the other thread only
    // sends (with retries) and never touches the database; a 401 is handled by
    // wait(), on the caller's thread. The caller must not use this ProviderApi's
    // HTTP client until wait() returns.
    // `on_success`, when given, runs on that thread with a 2xx response (and
    // may take its body), so work on the page overlaps the caller's too; it
    // must not throw, nor touch the database or this ProviderApi.
    PendingGet start_get(const Integration& integration, const std::string& url, const Headers& extra = {},
                         std::function<void(HttpResponse&)> on_success = {});
    // POST/PATCH/DELETE with bearer token and retries; a non-empty `json_body`
    // goes as application/json. Returns the final response (any status).
    HttpResponse send(const Integration& integration, const std::string& method, const std::string& url,
                      const std::string& json_body = {});

    std::vector<DiscoveredCalendar> list_calendars(const Integration& integration);

    // Google events.list URL for one page (SPEC 4.4): showDeleted, no singleEvents expansion.
    std::string google_events_url(const std::string& calendar_id, const std::string* sync_token,
                                  const std::string* page_token, int page_size) const;
    // Graph calendarView delta URL for the first request of a full round.
    std::string graph_delta_url(const Calendar& calendar, int64_t window_start, int64_t window_end) const;
    // Throws ProviderError unless `url` is on the configured Graph host.
    void check_graph_link(const std::string& url) const;

private:
    const Config& config_;
    HttpClient& http_;
    TokenManager& tokens_;
    RetryPolicy retry_;
};

// "google: GET …/events: 403 forbidden (message)": the provider's error, short.
std::string describe_api_error(const std::string& context, const HttpResponse& response);
// The provider's error code ("fullSyncRequired", "syncStateNotFound", …), or "".
std::string api_error_code(const HttpResponse& response);

}  // namespace calsync
