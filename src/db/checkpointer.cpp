#include "db/checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace calsync {

Checkpointer::Checkpointer(const std::string& path)
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX), thread_() {
    // A connection learns that the database is in WAL mode on its first read;
    // until then a checkpoint does nothing.
    db_.exec("SELECT count(*) FROM sqlite_master");
    thread_ = std::thread([this] { loop(); });
}

Checkpointer::~Checkpointer() {
    {
        std::lock_guard<std::mutex> lock(m_);
        stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
}

void Checkpointer::poke() {
    {
        std::lock_guard<std::mutex> lock(m_);
        poked_ = true;
    }
    cv_.notify_one();
}

void Checkpointer::loop() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
        cv_.wait(lock, [this] { return poked_ || stop_; });
        if (stop_) return;
        poked_ = false;
        lock.unlock();
        // SQLITE_BUSY (another checkpoint is running) is fine: that one copies.
        int rc = sqlite3_wal_checkpoint_v2(db_.getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::debug("background checkpoint: {}", sqlite3_errstr(rc));
        lock.lock();
    }
}

}  // namespace calsync
