// The SQLite state store: one file, WAL mode, busy_timeout, foreign keys,
// created with mode 0600, migrated to the latest schema on open.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <memory>

namespace calsync {

class Database {
public:
    // Opens (creating if needed) and migrates. Throws ConfigError when the
    // directory is missing or the schema is newer than this build knows,
    // TemporaryError when the database stays locked past busy_timeout.
    static std::unique_ptr<Database> open(const std::filesystem::path& path);

    SQLite::Database& sql() { return db_; }
    const std::filesystem::path& path() const { return path_; }
    int schema_version();

    // A short write transaction taken with BEGIN IMMEDIATE, so writers queue on
    // busy_timeout instead of failing with "database is locked" mid-transaction.
    SQLite::Transaction write_transaction() { return SQLite::Transaction(db_, SQLite::TransactionBehavior::IMMEDIATE); }

    static constexpr int kBusyTimeoutMs = 15000;

    // While alive, commits on this connection are not fsynced (synchronous =
    // NORMAL instead of FULL). Only for bookkeeping that is harmless to lose
    // in a power failure: in WAL mode a commit still survives a crash of the
    // process, and becomes durable with the next FULL commit, which fsyncs
    // the WAL up to its own end. Declare it before the transaction.
    class UnsyncedCommits {
    public:
        explicit UnsyncedCommits(Database& db);
        ~UnsyncedCommits();
        UnsyncedCommits(const UnsyncedCommits&) = delete;
        UnsyncedCommits& operator=(const UnsyncedCommits&) = delete;

    private:
        Database& db_;
    };

    // fsyncs the WAL: every commit this connection can see is then durable,
    // including those made under UnsyncedCommits. Call inside a read
    // transaction (after its first read), before handing out what it read.
    // Throws SQLite::Exception when the sync fails.
    void sync_wal();

private:
    Database(const std::filesystem::path& path);
    void migrate();

    std::filesystem::path path_;
    SQLite::Database db_;
};

// Latest schema version this build knows.
int latest_schema_version();

}  // namespace calsync
