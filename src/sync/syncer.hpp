// Syncs one calendar (SPEC 4.4): Google events.list with syncToken/pageToken
// and 410 → full resync; Graph calendarView delta with nextLink/deltaLink and
// an expired token → full resync. Each page is applied in one transaction and
// the new cursor is stored with the last page, so a crash anywhere leaves a
// state from which the next run converges.
#pragma once

#include <functional>

#include "sync/event_store.hpp"
#include "sync/provider_api.hpp"
#include "sync/lease.hpp"

namespace calsync {

struct SyncSettings {
    int google_page_size = 2500;          // Google's maximum
    int graph_page_size = 500;            // Prefer: odata.maxpagesize
    int64_t graph_window_past = 30 * 86400;
    int64_t graph_window_future = 365 * 86400;
    // A Graph delta window is fixed when its round starts; once it lags this far
    // behind "now", a full resync moves it forward (events that left it are deleted).
    int64_t graph_window_slack = 86400;
};

struct CalendarSyncResult {
    bool full = false;
    int64_t pages = 0;
    int64_t events = 0;  // items received
    ApplyStats applied;
};

// Called after each page: (calendar, pages so far, events so far).
using SyncProgress = std::function<void(const Calendar&, int64_t, int64_t)>;

class CalendarSyncer {
public:
    CalendarSyncer(Database& db, ProviderApi& api, const Clock& clock, SyncSettings settings = {})
        : db_(db), api_(api), clock_(clock), settings_(settings) {}

    // Throws on failure after recording it on the calendar; `lease` is renewed per page.
    CalendarSyncResult sync(const Integration& integration, const Calendar& calendar, bool force_full,
                            SyncLease* lease = nullptr, const SyncProgress& progress = {});

private:
    struct Round {
        std::string context;
        bool full = false;
        std::function<std::string(const std::optional<std::string>& next)> url;
        std::function<bool(const HttpResponse&)> expired;
        Headers headers;
        std::optional<std::pair<int64_t, int64_t>> window;
    };
    std::optional<CalendarSyncResult> run_round(const Integration& i, const Calendar& c, const Round& round,
                                                SyncLease* lease, const SyncProgress& progress);
    CalendarSyncResult sync_google(const Integration& i, const Calendar& c, bool full, SyncLease* lease,
                                   const SyncProgress& progress);
    CalendarSyncResult sync_graph(const Integration& i, const Calendar& c, bool full, SyncLease* lease,
                                  const SyncProgress& progress);

    Database& db_;
    ProviderApi& api_;
    const Clock& clock_;
    SyncSettings settings_;
    // Page N is applied from one while page N+1 is parsed into the other; they
    // take turns with one simdjson parser (never at once: see run_round).
    simdjson::ondemand::parser json_;
    PageParser parsers_[2] = {PageParser(json_), PageParser(json_)};
};

}  // namespace calsync
