#include "db/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace calsync {
namespace {

constexpr int kTriggerBytes = 4 << 20;  // SQLite's default auto-checkpoint: 1,000 pages of 4 KiB

int checkpoint(sqlite3* db, const char* who) {
    // SQLITE_BUSY (another checkpoint is running) is fine: that one copies.
    int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::debug("{} checkpoint: {}", who, sqlite3_errstr(rc));
    return rc;
}

}  // namespace

Checkpointer::Checkpointer(SQLite::Database& writer, int frames)
    : writer_(writer), frames_(frames), db_(writer.getFilename(), SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX) {
    // A connection learns that the database is in WAL mode on its first read;
    // until then a checkpoint does nothing.
    db_.exec("SELECT count(*) FROM sqlite_master");
    int page_size = std::max(512, db_.execAndGet("PRAGMA page_size").getInt());
    trigger_ = std::max(1, kTriggerBytes / page_size);
    catch_up_ = 4 * trigger_;
    thread_ = std::thread([this] { loop(); });
    sqlite3_wal_hook(writer_.getHandle(), &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
    sqlite3_wal_autocheckpoint(writer_.getHandle(), frames_);  // replaces the hook
    {
        std::lock_guard<std::mutex> lock(m_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

// On the writer's thread, after each commit, with the frames now in the WAL.
int Checkpointer::on_commit(void* self, sqlite3* db, const char*, int frames) {
    auto* c = static_cast<Checkpointer*>(self);
    if (frames >= c->catch_up_) c->catch_up(db);
    else if (frames >= c->trigger_) c->poke();
    return SQLITE_OK;
}

void Checkpointer::poke() {
    {
        std::lock_guard<std::mutex> lock(m_);
        poked_ = true;
    }
    cv_.notify_all();
}

// The WAL only starts over from its beginning when a write transaction begins
// with every frame copied, which the background checkpoints, always a commit
// behind, rarely achieve: left alone the WAL grows as large as the whole bulk
// write (and deleting it at the end costs tens of milliseconds). So once it
// holds catch_up_ frames, the writer waits for the running checkpoint and
// copies the rest itself; its next transaction then rewinds the WAL.
void Checkpointer::catch_up(sqlite3* writer) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return !running_; });
    running_ = true;
    poked_ = false;
    lock.unlock();
    checkpoint(writer, "catch-up");
    lock.lock();
    running_ = false;
    cv_.notify_all();  // a poke that came meanwhile
}

void Checkpointer::loop() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
        cv_.wait(lock, [this] { return (poked_ && !running_) || stop_; });
        if (stop_) return;
        poked_ = false;
        running_ = true;
        lock.unlock();
        checkpoint(db_.getHandle(), "background");
        lock.lock();
        running_ = false;
        cv_.notify_all();
    }
}

}  // namespace calsync
