#include "webhook/queue_processor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <random>

#include "crypto/crypto.hpp"
#include "store/integrations.hpp"
#include "store/webhooks.hpp"
#include "sync/lease.hpp"

namespace calsync {

int64_t queue_backoff(int64_t attempts, double jitter) {
    int64_t base = 30;
    for (int64_t i = 0; i < attempts && base < 3600; ++i) base *= 2;
    base = std::min<int64_t>(base, 3600);
    return std::max<int64_t>(1, int64_t(double(base) * (0.5 + jitter / 2)));
}

namespace {

double jitter() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

class Run {
public:
    Run(const Config& config, SyncWorker& w, const QueueRunOptions& o)
        : w_(w), o_(o), store_(w.db), integrations_(w.db), channels_(config, w.db, w.api, w.clock),
          holder_(new_lease_holder()) {}

    QueueRunResult go() {
        if (o_.retry_dead) result_.revived = store_.revive_dead(now());
        reclaim();
        while (o_.max == 0 || taken_ < o_.max) {
            int64_t limit = o_.max == 0 ? o_.batch : std::min(o_.batch, o_.max - taken_);
            auto items = store_.claim(holder_, limit, o_.lease_ttl, now());
            if (items.empty()) break;
            taken_ += int64_t(items.size());
            batch(items);
        }
        return result_;
    }

private:
    int64_t now() const { return w_.clock.now(); }

    void reclaim() {
        result_.reclaimed = store_.reclaim(now());
        for (const auto& h : store_.processing_holders())
            if (lease_holder_is_dead(h)) result_.reclaimed += store_.release_holder(h);
        if (result_.reclaimed > 0)
            spdlog::info("process-queue: took back {} items of a worker that stopped", result_.reclaimed);
    }

    void reject(const QueueItem& it, const std::string& why) {
        spdlog::warn("process-queue: item {} ({} channel {}) rejected: {}", it.id, it.n.provider, it.n.channel_id, why);
        store_.finish({it.id}, "rejected", why, now());
        result_.rejected++;
    }

    void done(const std::vector<int64_t>& ids) {
        store_.finish(ids, "done", std::nullopt, now());
        result_.processed += int64_t(ids.size());
    }

    void retry(const std::vector<const QueueItem*>& items, const std::string& why) {
        int64_t attempts = 0;
        std::vector<int64_t> ids;
        for (const auto* it : items) {
            attempts = std::max(attempts, it->attempts);
            ids.push_back(it->id);
        }
        int64_t died = store_.retry_later(ids, why, now() + queue_backoff(attempts, jitter()), o_.max_attempts, now());
        result_.failed += int64_t(ids.size());
        result_.dead += died;
        if (died > 0)
            spdlog::error("process-queue: {} items moved to dead letters after {} attempts: {}", died, o_.max_attempts,
                          why);
    }

    // The channel and integration an item belongs to, or why it is rejected.
    std::optional<std::pair<WebhookChannel, Integration>> verify(const QueueItem& it) {
        auto ch = store_.find_channel(it.n.provider, it.n.channel_id);
        if (!ch) {
            reject(it, "unknown channel");
            return std::nullopt;
        }
        if (!constant_time_equal(ch->secret_digest, it.n.secret_digest)) {
            reject(it, "the channel secret does not match");
            return std::nullopt;
        }
        auto integration = integrations_.get(ch->integration_id);
        if (!integration || integration->status == "disconnected") {
            reject(it, "the integration is disconnected");
            return std::nullopt;
        }
        return std::make_pair(*ch, *integration);
    }

    void batch(const std::vector<QueueItem>& items) {
        // integration id → the items that need its sync
        std::map<int64_t, std::vector<const QueueItem*>> to_sync;
        std::map<int64_t, Integration> by_id;
        for (const auto& it : items) {
            auto found = verify(it);
            if (!found) continue;
            auto& [ch, integration] = *found;
            by_id[integration.id] = integration;
            if (it.n.kind == "sync") {
                done({it.id});  // Google's first message on a new channel: nothing changed
            } else if (it.n.kind == "lifecycle") {
                lifecycle(it, ch, integration, to_sync);
            } else {
                to_sync[integration.id].push_back(&it);
            }
        }
        for (auto& [id, list] : to_sync) {
            sync(by_id[id], list);
            store_.renew_claims(holder_, o_.lease_ttl, now());
        }
    }

    void lifecycle(const QueueItem& it, const WebhookChannel& ch, const Integration& integration,
                   std::map<int64_t, std::vector<const QueueItem*>>& to_sync) {
        const std::string& event = it.n.state;
        try {
            if (event == "reauthorizationRequired") {
                ChannelReport r = channels_.extend(integration, ch);
                spdlog::info("integration {}: subscription {} {} (reauthorizationRequired)", integration.id,
                             ch.channel_id, r.action);
                done({it.id});
            } else if (event == "subscriptionRemoved") {
                ChannelReport r = channels_.recreate(integration, ch);
                spdlog::info("integration {}: subscription {} removed by Graph; {} as {}", integration.id,
                             ch.channel_id, r.action, r.channel_id);
                to_sync[integration.id].push_back(&it);  // changes may have been missed meanwhile
            } else if (event == "missed") {
                to_sync[integration.id].push_back(&it);
            } else {
                spdlog::warn("process-queue: item {}: unknown lifecycle event '{}', acknowledged", it.id, event);
                done({it.id});
            }
        } catch (const std::exception& e) {
            spdlog::error("integration {}: {}: {}", integration.id, event, e.what());
            retry({&it}, e.what());
        }
    }

    void sync(const Integration& integration, const std::vector<const QueueItem*>& items) {
        IntegrationSyncResult r = sync_integration(w_, integration, false);
        std::vector<int64_t> ids;
        for (const auto* it : items) ids.push_back(it->id);
        if (r.status == "ok") {
            result_.syncs++;
            spdlog::info("integration {}: synced for {} notifications ({} upserts, {} deletes)", integration.id,
                         ids.size(), r.upserts, r.deletes);
            done(ids);
        } else if (r.status == "skipped") {
            // Another process syncs this integration right now; it may have
            // fetched before these changes, so look again shortly.
            store_.release(ids, now() + 5);
            result_.deferred += int64_t(ids.size());
        } else {
            retry(items, r.error.empty() ? r.status : r.error);
        }
    }

    SyncWorker& w_;
    const QueueRunOptions& o_;
    WebhookStore store_;
    IntegrationStore integrations_;
    ChannelManager channels_;
    std::string holder_;
    int64_t taken_ = 0;
    QueueRunResult result_;
};

}  // namespace

QueueRunResult process_queue(const Config& config, SyncWorker& worker, const QueueRunOptions& options) {
    QueueRunResult r = Run(config, worker, options).go();
    // Settled items are kept a week for `status` and debugging.
    WebhookStore(worker.db).prune(worker.clock.now() - 7 * 86400);
    return r;
}

}  // namespace calsync
