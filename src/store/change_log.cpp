#include "store/change_log.hpp"

#include <SQLiteCpp/Statement.h>

namespace calsync {

int64_t change_log_last_seq(SQLite::Database& db) {
    // max(seq) too, so rows written without a record here still count.
    return db
        .execAndGet("SELECT max(coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE name = 'change_log_seq'), 0), "
                    "coalesce((SELECT max(seq) FROM change_log), 0))")
        .getInt64();
}

void set_change_log_last_seq(SQLite::Database& db, int64_t seq) {
    SQLite::Statement q(db, "INSERT INTO meta (name, value) VALUES ('change_log_seq', ?) "
                            "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    q.bind(1, seq);
    q.exec();
}

DurableSnapshot::DurableSnapshot(Database& db) : tx_(db.sql()) {
    // The first read fixes the snapshot; the WAL then holds every frame it can
    // see (a checkpoint syncs the database file before readers skip frames),
    // and the sync makes them durable.
    db.sql().execAndGet("SELECT max(seq) FROM change_log");
    db.sync_wal();
}

}  // namespace calsync
