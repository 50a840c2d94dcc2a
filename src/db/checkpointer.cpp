#include "db/checkpointer.hpp"

#include <spdlog/spdlog.h>

namespace calsync {

Checkpointer::Checkpointer(SQLite::Database& writer, int frames)
    : writer_(writer), frames_(frames), db_(writer.getFilename(), SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX) {
    // A connection learns that the database is in WAL mode on its first read;
    // until then a checkpoint does nothing.
    db_.exec("SELECT count(*) FROM sqlite_master");
    thread_ = std::thread([this] { loop(); });
    sqlite3_wal_hook(writer_.getHandle(), &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
    sqlite3_wal_autocheckpoint(writer_.getHandle(), frames_);  // replaces the hook
    {
        std::lock_guard<std::mutex> lock(m_);
        stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
    auto* c = static_cast<Checkpointer*>(self);
    if (frames >= c->frames_) c->poke();
    return SQLITE_OK;
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
