#include "sync/syncer.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <memory>

#include "db/checkpointer.hpp"

namespace calsync {
namespace {

// Graph says an expired delta token in several ways (PROTOCOL.md §6).
bool graph_needs_resync(const HttpResponse& r) {
    if (r.status == 410) return true;
    if (r.status < 400 || r.status >= 500) return false;
    std::string code = api_error_code(r);
    return code == "syncStateNotFound" || code == "resyncRequired" || code == "SyncStateNotFound" ||
           code == "ResyncRequired" || code == "syncStateInvalid";
}

void renew(SyncLease* lease, int64_t now) {
    if (lease && !lease->renew(now)) throw TemporaryError("lost the sync lease to another process; stopping");
}

// A full round writes the whole calendar: let SQLite hold a page's transaction
// in memory (no spill of dirty pages into the WAL mid-transaction), and copy
// the WAL into the main file on a second thread (db/checkpointer.hpp) instead
// of inline, from the second page on (a one-page calendar is done before a
// thread would pay off); then one checkpoint at the end. Commits stay durable
// as before (synchronous = FULL fsyncs the WAL at each commit); only the copy
// into the main file moves.
class BulkWrite {
public:
    BulkWrite(SQLite::Database& db, bool on) : db_(db), on_(on) {
        if (!on_) return;
        cache_size_ = db_.execAndGet("PRAGMA cache_size").getInt();
        autocheckpoint_ = db_.execAndGet("PRAGMA wal_autocheckpoint").getInt();
        db_.exec("PRAGMA cache_size = -16384");
    }
    ~BulkWrite() {
        if (!on_) return;
        checkpointer_.reset();  // gives back the auto-checkpoint
        try {
            db_.exec("PRAGMA cache_size = " + std::to_string(cache_size_));
            db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (const std::exception& e) {
            spdlog::debug("after a full sync: {}", e.what());
        }
    }
    BulkWrite(const BulkWrite&) = delete;
    BulkWrite& operator=(const BulkWrite&) = delete;

    // After each page's commit.
    void committed() {
        if (!on_ || started_ || ++pages_ < 2) return;
        started_ = true;
        try {
            checkpointer_ = std::make_unique<Checkpointer>(db_, autocheckpoint_);
        } catch (const std::exception& e) {
            spdlog::debug("no background checkpoint ({}); checkpointing inline", e.what());
        }
    }

private:
    SQLite::Database& db_;
    bool on_;
    int cache_size_ = -2000, autocheckpoint_ = 1000;
    int pages_ = 0;
    bool started_ = false;
    std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace

CalendarSyncResult CalendarSyncer::sync(const Integration& integration, const Calendar& calendar, bool force_full,
                                        SyncLease* lease, const SyncProgress& progress) {
    try {
        return integration.provider == Provider::google
                   ? sync_google(integration, calendar, force_full, lease, progress)
                   : sync_graph(integration, calendar, force_full, lease, progress);
    } catch (const std::exception& e) {
        try {
            EventStore(db_, {calendar.id, integration.id, calendar.provider_calendar_id}).record_failure(e.what());
        } catch (...) {
        }
        throw;
    }
}

// One round: from the first request to the page that carries the new cursor.
// Returns nullopt when the provider says the stored cursor expired.
std::optional<CalendarSyncResult> CalendarSyncer::run_round(const Integration& integration, const Calendar& calendar,
                                                            const Round& round, SyncLease* lease,
                                                            const SyncProgress& progress) {
    EventStore store(db_, {calendar.id, integration.id, calendar.provider_calendar_id});
    CalendarSyncResult result;
    result.full = round.full;
    int64_t generation = round.full ? store.begin_full_sync(clock_.now()) : store.generation();
    BulkWrite bulk(db_.sql(), round.full);
    const bool google = integration.provider == Provider::google;
    // Page N+1 downloads, and is parsed, on a second thread while page N is
    // stored: at most two pages in memory, one in each parser.
    int current = 0;
    struct Prefetched {
        bool parsed = false;
        std::exception_ptr error;
    } prefetched;
    HttpResponse r = api_.get(integration, round.url(std::nullopt), round.headers);
    for (;;) {
        if (!round.full && round.expired(r)) {
            spdlog::info("{}: cursor no longer valid ({}); running a full sync", round.context, api_error_code(r));
            return std::nullopt;
        }
        if (!r.ok()) throw ProviderError(describe_api_error(round.context, r), r.status, api_error_code(r));
        if (prefetched.error) std::rethrow_exception(prefetched.error);
        PageParser& parser = parsers_[current];
        const EventPage& page = prefetched.parsed ? parser.page() : parser.parse(google, std::move(r.body));
        if (!page.next_page && !page.cursor)
            throw ProviderError(round.context + ": a page that carries neither a next page nor a new cursor", 200);
        // Page N+1 starts downloading now; what stops it (a link to another
        // host, a token that cannot be had) is raised after page N is stored, as
        // when the pages were fetched one after the other.
        std::optional<PendingGet> next;
        std::exception_ptr next_failed;
        prefetched = {};
        if (page.next_page) {
            PageParser* spare = &parsers_[1 - current];
            try {
                next.emplace(api_.start_get(integration, round.url(page.next_page), round.headers,
                                            [spare, google, &prefetched](HttpResponse& response) {
                                                try {
                                                    spare->parse(google, std::move(response.body));
                                                    prefetched.parsed = true;
                                                } catch (...) {
                                                    prefetched.error = std::current_exception();
                                                }
                                            }));
            } catch (...) {
                next_failed = std::current_exception();
            }
        }
        CursorUpdate update;
        if (!page.next_page) {
            update.cursor = page.cursor;
            update.finish_full_sync = round.full;
            if (round.full) update.window = round.window;
        }
        ApplyStats s = store.apply(page, generation, update, clock_.now());
        bulk.committed();
        result.applied.upserts += s.upserts;
        result.applied.deletes += s.deletes;
        result.applied.unchanged += s.unchanged;
        result.pages++;
        result.events += int64_t(page.items.size());
        if (page.skipped) spdlog::warn("{}: skipped {} malformed events", round.context, page.skipped);
        renew(lease, clock_.now());
        if (progress) progress(calendar, result.pages, result.events);
        if (next_failed) std::rethrow_exception(next_failed);
        if (!next) return result;
        r = next->wait();  // a 401 is fetched again here, unparsed: then this thread parses it
        current = 1 - current;
    }
}

CalendarSyncResult CalendarSyncer::sync_google(const Integration& integration, const Calendar& calendar, bool full,
                                               SyncLease* lease, const SyncProgress& progress) {
    std::optional<std::string> token = full ? std::nullopt : calendar.sync_cursor;
    Round round;
    round.context = "google: events.list for calendar " + calendar.provider_calendar_id;
    round.expired = [](const HttpResponse& r) { return r.status == 410; };
    round.url = [&](const std::optional<std::string>& page_token) {
        return api_.google_events_url(calendar.provider_calendar_id, token ? &*token : nullptr,
                                      page_token ? &*page_token : nullptr, settings_.google_page_size);
    };
    round.full = !token;
    if (auto r = run_round(integration, calendar, round, lease, progress)) return *r;
    token.reset();  // 410 Gone: discard the token, list everything
    round.full = true;
    return run_round(integration, calendar, round, lease, progress).value();
}

CalendarSyncResult CalendarSyncer::sync_graph(const Integration& integration, const Calendar& calendar, bool full,
                                              SyncLease* lease, const SyncProgress& progress) {
    int64_t now = clock_.now();
    int64_t day_start = now - now % 86400;
    std::pair<int64_t, int64_t> window = {day_start - settings_.graph_window_past,
                                          day_start + settings_.graph_window_future};
    Round round;
    round.context = "microsoft: calendarView delta for calendar " + calendar.name;
    bool drifted = calendar.window_start && *calendar.window_start + settings_.graph_window_slack < window.first;
    if (drifted) spdlog::info("{}: moving the sync window forward; running a full sync", round.context);
    std::optional<std::string> delta_link = (full || drifted) ? std::nullopt : calendar.sync_cursor;
    round.headers = {{"Prefer", "odata.maxpagesize=" + std::to_string(settings_.graph_page_size)},
                     {"Prefer", "outlook.timezone=\"UTC\""}};
    round.window = window;
    round.expired = graph_needs_resync;
    round.url = [&](const std::optional<std::string>& next_link) {
        std::string url = next_link ? *next_link : delta_link ? *delta_link : api_.graph_delta_url(calendar, window.first, window.second);
        api_.check_graph_link(url);
        return url;
    };
    round.full = !delta_link;
    if (auto r = run_round(integration, calendar, round, lease, progress)) return *r;
    delta_link.reset();
    round.full = true;
    return run_round(integration, calendar, round, lease, progress).value();
}

}  // namespace calsync
