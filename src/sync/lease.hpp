// A per-integration lease in the database: two syncs of one integration never
// run at once, whichever processes start them (poll, process-queue). A lease
// expires, so a holder that died (SIGKILL) blocks the integration only until
// then; holders renew it as they make progress.
#pragma once

#include <string>

#include "db/database.hpp"

namespace calsync {

class SyncLease {
public:
    static constexpr int64_t kTtl = 120;

    // Tries to take the lease; `held()` tells whether it was granted.
    SyncLease(Database& db, int64_t integration_id, int64_t now);
    ~SyncLease();
    SyncLease(const SyncLease&) = delete;
    SyncLease& operator=(const SyncLease&) = delete;

    bool held() const { return held_; }
    // Extends the lease; false if it was lost (expired and taken by another).
    // Writes at most once every kTtl / 4: until then at least 3/4 of the TTL
    // is left anyway.
    bool renew(int64_t now);

    // "host:pid:random": who holds the lease, for logs and `status`.
    const std::string& holder() const { return holder_; }

private:
    Database& db_;
    int64_t integration_id_;
    std::string holder_;
    int64_t renewed_at_;
    bool held_ = false;
};

// "host:pid:random", unique per call: a lease holder's name.
std::string new_lease_holder();
// Whether `holder` names a process on this host that no longer exists (its
// leases may be taken at once instead of after their TTL).
bool lease_holder_is_dead(const std::string& holder);

}  // namespace calsync
