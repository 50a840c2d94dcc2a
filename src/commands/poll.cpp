// calsync poll [ID…] [--full] [--concurrency N] (SPEC 4.4): incremental sync
// of every connected integration, N at a time, each worker with its own
// database connection and HTTP client. One failing account never stops the
// others. Exit 1 if any failed (4 if the only failures need re-authorization).
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "commands/commands.hpp"
#include "commands/sync_setup.hpp"
#include "sync/integration_sync.hpp"

namespace calsync {
namespace {

struct PollOptions {
    std::vector<int64_t> ids;
    bool full = false;
    int concurrency = 8;
};

// A one-line progress display on a terminal; silent otherwise.
class Progress {
public:
    explicit Progress(bool enabled, size_t total) : enabled_(enabled), total_(total) {
        if (enabled_) thread_ = std::thread([this] { loop(); });
    }
    ~Progress() {
        if (!enabled_) return;
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
        std::fprintf(stderr, "\r\033[K");
    }
    std::atomic<int64_t> done{0}, events{0}, pages{0};

private:
    void loop() {
        std::unique_lock<std::mutex> lock(m_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; }))
            std::fprintf(stderr, "\r\033[Kpoll: %lld/%zu integrations, %lld events, %lld pages",
                         static_cast<long long>(done.load()), total_, static_cast<long long>(events.load()),
                         static_cast<long long>(pages.load()));
    }
    bool enabled_;
    size_t total_;
    bool stop_ = false;
    std::mutex m_;
    std::condition_variable cv_;
    std::thread thread_;
};

int run_poll(const PollOptions& o, Context& ctx) {
    if (o.concurrency < 1 || o.concurrency > 256) throw UsageError("--concurrency must be between 1 and 256");
    const Config& config = ctx.config();
    const Key& key = ctx.key();
    std::vector<Integration> targets = IntegrationStore(ctx.db()).targets(o.ids);

    auto started = std::chrono::steady_clock::now();
    std::vector<IntegrationSyncResult> results(targets.size());
    std::atomic<size_t> next{0};
    Progress progress(isatty(STDERR_FILENO) && !ctx.options().quiet && !targets.empty(), targets.size());
    auto work = [&] {
        SyncServices services(config, key, ctx.clock());
        while (true) {
            size_t n = next++;
            if (n >= targets.size()) break;
            int64_t last_pages = 0, last_events = 0;
            results[n] = sync_integration(services.worker(), targets[n], o.full,
                                          [&](const Calendar&, int64_t pages, int64_t events) {
                                              progress.pages += pages - last_pages;
                                              progress.events += events - last_events;
                                              last_pages = pages;
                                              last_events = events;
                                          });
            progress.done++;
        }
    };
    std::vector<std::thread> workers;
    size_t n_workers = std::min<size_t>(size_t(o.concurrency), std::max<size_t>(targets.size(), 1));
    for (size_t i = 0; i < n_workers; ++i) workers.emplace_back(work);
    for (auto& t : workers) t.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    int ok = 0, failed = 0, skipped = 0, reauth = 0;
    int64_t upserts = 0, deletes = 0, pages = 0, events = 0;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : results) {
        if (r.status == "ok") ok++;
        else if (r.status == "skipped") skipped++;
        else if (r.status == "needs_reauth") reauth++;
        else failed++;
        upserts += r.upserts;
        deletes += r.deletes;
        pages += r.pages;
        events += r.events;
        list.push_back({{"id", r.integration_id}, {"status", r.status}, {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
                        {"calendars", r.calendars}, {"pages", r.pages}, {"events", r.events}, {"upserts", r.upserts},
                        {"deletes", r.deletes}, {"full", r.full}});
    }
    if (ctx.json()) {
        nlohmann::json j = {{"integrations", list}, {"ok", ok}, {"failed", failed}, {"needs_reauth", reauth},
                            {"skipped", skipped}, {"upserts", upserts}, {"deletes", deletes}, {"pages", pages},
                            {"events", events}, {"seconds", seconds}};
        ctx.out() << j.dump() << "\n";
    } else {
        ctx.out() << fmt::format("poll: {} integrations synced, {} failed, {} need re-authorization, {} skipped; "
                                 "{} upserts, {} deletes from {} events in {} pages; {:.1f} s\n",
                                 ok, failed, reauth, skipped, upserts, deletes, events, pages, seconds);
    }
    if (failed > 0) return kExitPartial;
    if (reauth > 0) return kExitReauth;
    return kExitOk;
}

}  // namespace

Runner setup_poll(CLI::App& sub) {
    auto o = std::make_shared<PollOptions>();
    sub.add_option("ids", o->ids, "integration ids (default: every connected integration)");
    sub.add_flag("--full", o->full, "discard sync cursors and list everything again");
    sub.add_option("--concurrency", o->concurrency, "integrations synced at once (default 8)");
    return [o](Context& ctx) { return run_poll(*o, ctx); };
}

}  // namespace calsync
