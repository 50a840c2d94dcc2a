// process-queue (SPEC 4.5): takes due notifications oldest first under a
// lease, verifies each against its channel again (the channel may have been
// stopped since the receiver took it), coalesces all items of an integration
// into one incremental sync, and settles them: done, rejected, retried later
// with a backoff, or dead after too many attempts. Items of a worker that died
// go back to pending: at once when it ran on this host, else after the lease.
#pragma once

#include <string>

#include "config/config.hpp"
#include "sync/integration_sync.hpp"
#include "webhook/channels.hpp"

namespace calsync {

struct QueueRunOptions {
    int64_t max = 0;  // items to take in this run; 0 = all that are due
    int64_t max_attempts = 8;
    bool retry_dead = false;
    int64_t lease_ttl = 300;  // seconds a claim lasts without renewal
    int64_t batch = 500;      // items claimed at once (one coalescing window)
};

struct QueueRunResult {
    int64_t processed = 0;  // done: synced, or acknowledged without a sync
    int64_t failed = 0;     // back to pending with a backoff (or dead)
    int64_t rejected = 0;   // unknown channel, wrong secret, disconnected integration
    int64_t dead = 0;       // of the failed, those that reached max attempts
    int64_t deferred = 0;   // integration busy with another sync: retried shortly, no attempt counted
    int64_t syncs = 0;
    int64_t reclaimed = 0;
    int64_t revived = 0;
};

QueueRunResult process_queue(const Config& config, SyncWorker& worker, const QueueRunOptions& options);

// The wait before attempt `attempts + 1` of a failed item: 30 s doubling, at
// most an hour, scaled by 0.5 + jitter/2 (jitter in [0, 1)).
int64_t queue_backoff(int64_t attempts, double jitter);

}  // namespace calsync
