#include "sync/lease.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include "crypto/crypto.hpp"

namespace calsync {

namespace {

const std::string& process_id() {
    static const std::string id = [] {
        char host[256] = {0};
        gethostname(host, sizeof host - 1);
        return std::string(host) + ":" + std::to_string(getpid());
    }();
    return id;
}

// A holder on this host whose process is gone (killed, crashed) cannot renew:
// its lease may be taken at once instead of after the TTL.
}  // namespace

bool lease_holder_is_dead(const std::string& holder) {
    const std::string& me = process_id();
    std::string host = me.substr(0, me.rfind(':'));
    if (holder.rfind(host + ":", 0) != 0) return false;
    std::string rest = holder.substr(host.size() + 1);
    pid_t pid = 0;
    try {
        pid = pid_t(std::stol(rest.substr(0, rest.find(':'))));
    } catch (...) {
        return false;
    }
    return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

std::string new_lease_holder() { return process_id() + ":" + random_hex(4); }

// Taking, renewing and dropping a lease commit without an fsync
// (Database::UnsyncedCommits): a lease lost to a power failure only means
// another sync may start, which is what the loss of its holder means anyway;
// otherwise the lease is durable with the sync's first page. That leaves one
// fsync per page where a one-page sync used to take five.
SyncLease::SyncLease(Database& db, int64_t integration_id, int64_t now)
    : db_(db), integration_id_(integration_id), holder_(new_lease_holder()), renewed_at_(now) {
    Database::UnsyncedCommits unsynced(db_);
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "INSERT INTO sync_leases (integration_id, holder, expires_at) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT (integration_id) DO UPDATE SET holder = excluded.holder, "
                        "expires_at = excluded.expires_at WHERE sync_leases.expires_at <= ?4");
    q.bind(1, integration_id);
    q.bind(2, holder_);
    q.bind(3, now + kTtl);
    q.bind(4, now);
    held_ = q.exec() > 0;
    if (!held_) {
        SQLite::Statement cur(db_.sql(), "SELECT holder FROM sync_leases WHERE integration_id = ?");
        cur.bind(1, integration_id);
        if (cur.executeStep()) {
            std::string old = cur.getColumn(0).getString();
            cur.reset();
            if (lease_holder_is_dead(old)) {
                SQLite::Statement take(db_.sql(),
                                       "UPDATE sync_leases SET holder = ?, expires_at = ? WHERE integration_id = ? AND holder = ?");
                take.bind(1, holder_);
                take.bind(2, now + kTtl);
                take.bind(3, integration_id);
                take.bind(4, old);
                held_ = take.exec() > 0;
                if (held_) spdlog::info("integration {}: took over the sync lease of {}, a process that is gone", integration_id, old);
            }
        }
    }
    tx.commit();
}

bool SyncLease::renew(int64_t now) {
    if (!held_) return false;
    // Nobody may take a lease before it expires, nor take over from a holder
    // that is alive: until a quarter of the TTL has passed it is still ours.
    if (now - renewed_at_ < kTtl / 4) return true;
    Database::UnsyncedCommits unsynced(db_);
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(), "UPDATE sync_leases SET expires_at = ? WHERE integration_id = ? AND holder = ?");
    q.bind(1, now + kTtl);
    q.bind(2, integration_id_);
    q.bind(3, holder_);
    held_ = q.exec() > 0;
    tx.commit();
    if (held_) renewed_at_ = now;
    return held_;
}

SyncLease::~SyncLease() {
    if (!held_) return;
    try {
        Database::UnsyncedCommits unsynced(db_);
        auto tx = db_.write_transaction();
        SQLite::Statement q(db_.sql(), "DELETE FROM sync_leases WHERE integration_id = ? AND holder = ?");
        q.bind(1, integration_id_);
        q.bind(2, holder_);
        q.exec();
        tx.commit();
    } catch (...) {
        // The lease expires on its own.
    }
}

}  // namespace calsync
