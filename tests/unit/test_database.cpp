// db/database.hpp: file creation, migration and reopening of the SQLite store.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "db/checkpointer.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "errors.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::TempDir;
using calsync::test::file_mode;

TEST_CASE("Database::open creates a 0600 file at the latest schema", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    auto db = Database::open(path);
    CHECK(std::filesystem::exists(path));
    CHECK(file_mode(path) == 0600);
    CHECK(db->schema_version() == latest_schema_version());
    CHECK(db->path() == path);
    CHECK(db->sql().execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(db->sql().execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK(db->sql().execAndGet("PRAGMA page_size").getInt() == 32768);
    for (const char* table : {"meta", "organizations", "integrations", "calendars", "pending_authorizations"}) {
        INFO(table);
        CHECK(db->sql().tableExists(table));
    }
}

TEST_CASE("the WAL file SQLite creates is not wider than the database", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    auto db = Database::open(path);
    db->sql().exec("INSERT INTO organizations (id, created_at) VALUES ('acme', 1)");
    auto wal = std::filesystem::path(path.string() + "-wal");
    REQUIRE(std::filesystem::exists(wal));
    CHECK(file_mode(wal) == 0600);
}

TEST_CASE("in a setgid directory the database is 0660 for the shared group", "[db]") {
    TempDir dir;
    auto shared = dir / "shared";
    std::filesystem::create_directory(shared);
    REQUIRE(::chmod(shared.c_str(), 02770) == 0);
    auto db = Database::open(shared / "calsync.db");
    db->sql().exec("INSERT INTO organizations (id, created_at) VALUES ('acme', 1)");
    CHECK(file_mode(shared / "calsync.db") == 0660);
    CHECK(file_mode(shared / "calsync.db-wal") == 0660);
}

TEST_CASE("latest_schema_version is the last numbered migration", "[db]") {
    const auto& all = migrations();
    REQUIRE_FALSE(all.empty());
    CHECK(latest_schema_version() == all.back().version);
    for (size_t i = 0; i < all.size(); ++i) {
        INFO(all[i].description);
        CHECK(all[i].version == int(i) + 1);
    }
}

TEST_CASE("reopening a database is idempotent and keeps its data", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    {
        auto db = Database::open(path);
        db->sql().exec("INSERT INTO organizations (id, created_at) VALUES ('acme', 1)");
    }
    for (int i = 0; i < 2; ++i) {
        auto db = Database::open(path);
        CHECK(db->schema_version() == latest_schema_version());
        CHECK(db->sql().execAndGet("SELECT count(*) FROM organizations WHERE id = 'acme'").getInt() == 1);
    }
    // Two handles at once, as two calsync processes would hold.
    auto a = Database::open(path);
    auto b = Database::open(path);
    CHECK(b->schema_version() == latest_schema_version());
}

TEST_CASE("Database::open refuses a missing directory", "[db]") {
    TempDir dir;
    CHECK_THROWS_AS(Database::open(dir / "missing" / "calsync.db"), ConfigError);
    CHECK_FALSE(std::filesystem::exists(dir / "missing"));
}

TEST_CASE("Database::open refuses a schema newer than this build", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    {
        auto db = Database::open(path);
        db->sql().exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
    }
    CHECK_THROWS_AS(Database::open(path), ConfigError);
    CHECK_THROWS_WITH(Database::open(path), Catch::Contains("newer"));
}

TEST_CASE("the schema enforces foreign keys and allowed values", "[db]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    // No such organization.
    CHECK_THROWS_AS(db->sql().exec("INSERT INTO integrations (org_id, provider, account_id, account_email, status, "
                                   "created_at, updated_at) VALUES ('ghost', 'google', 'a', 'e', 'connected', 1, 1)"),
                    SQLite::Exception);
    db->sql().exec("INSERT INTO organizations (id, created_at) VALUES ('acme', 1)");
    CHECK_THROWS_AS(db->sql().exec("INSERT INTO integrations (org_id, provider, account_id, account_email, status, "
                                   "created_at, updated_at) VALUES ('acme', 'yahoo', 'a', 'e', 'connected', 1, 1)"),
                    SQLite::Exception);
    CHECK_NOTHROW(db->sql().exec("INSERT INTO integrations (org_id, provider, account_id, account_email, status, "
                                 "created_at, updated_at) VALUES ('acme', 'google', 'a', 'e', 'connected', 1, 1)"));
}

TEST_CASE("an existing database keeps its page size", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    {
        SQLite::Database old(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        old.exec("PRAGMA page_size = 4096");
        old.exec("PRAGMA journal_mode = WAL");
        old.exec("CREATE TABLE t (x)");
    }
    auto db = Database::open(path);
    CHECK(db->sql().execAndGet("PRAGMA page_size").getInt() == 4096);
    CHECK(db->schema_version() == latest_schema_version());
}

TEST_CASE("UnsyncedCommits relaxes synchronous to NORMAL while alive, then back to FULL", "[db]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    CHECK(db->sql().execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
    {
        Database::UnsyncedCommits unsynced(*db);
        CHECK(db->sql().execAndGet("PRAGMA synchronous").getInt() == 1);  // NORMAL
        auto tx = db->write_transaction();
        db->sql().exec("INSERT INTO organizations (id, created_at) VALUES ('acme', 1)");
        tx.commit();
    }
    CHECK(db->sql().execAndGet("PRAGMA synchronous").getInt() == 2);
    CHECK(db->sql().execAndGet("SELECT count(*) FROM organizations").getInt() == 1);
}

TEST_CASE("Checkpointer copies the WAL while the writer commits and keeps it from growing", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    auto db = Database::open(path);
    db->sql().exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    auto wal_size = [&] { return std::filesystem::file_size(path.string() + "-wal"); };
    std::uintmax_t largest = 0;
    {
        Checkpointer checkpointer(db->sql(), 1000);
        SQLite::Statement insert(db->sql(), "INSERT INTO blobs (data) VALUES (zeroblob(1048576))");
        for (int i = 0; i < 48; ++i) {  // 48 MB through the WAL, a commit per MB
            auto tx = db->write_transaction();
            insert.exec();
            insert.reset();
            tx.commit();
            largest = std::max(largest, wal_size());
        }
    }
    // Without the writer catching up at ~16 MB the WAL would hold all 48 MB.
    CHECK(largest < std::uintmax_t(24) << 20);
    CHECK(db->sql().execAndGet("PRAGMA wal_autocheckpoint").getInt() == 1000);  // given back
    CHECK(db->sql().execAndGet("SELECT count(*) FROM blobs").getInt() == 48);
    int log = -1, done = -1;
    REQUIRE(sqlite3_wal_checkpoint_v2(db->sql().getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
            SQLITE_OK);
    CHECK(log == done);
}

namespace {

// A database as migrations 1..4 left it (before the CHECK rewrite).
void create_v4(const std::filesystem::path& path) {
    SQLite::Database old(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    old.exec("PRAGMA journal_mode = WAL");
    for (const auto& m : migrations()) {
        if (m.version > 4) break;
        old.exec(m.sql);
    }
    old.exec("PRAGMA user_version = 4");
    old.exec("INSERT INTO organizations (id, created_at) VALUES ('acme', 1)");
    old.exec("INSERT INTO integrations (id, org_id, provider, account_id, account_email, status, created_at, "
             "updated_at) VALUES (1, 'acme', 'google', 'a', 'e', 'needs_reauth', 1, 1)");
    old.exec("INSERT INTO calendars (id, integration_id, provider_calendar_id, created_at) VALUES (1, 1, 'c', 1)");
    old.exec("INSERT INTO events (calendar_id, event_id, status, kind, start, \"end\", start_ts, end_ts, raw) "
             "VALUES (1, 'e1', 'confirmed', 'exception', '2026-01-01', '2026-01-02', 0, 1, '{}')");
    old.exec("INSERT INTO webhook_queue (provider, channel_id, kind, state, payload, secret_digest, status, "
             "next_attempt_at, received_at) VALUES ('google', 'ch', 'lifecycle', 's', '{}', 'd', 'dead', 1, 1)");
    // Seqs 1..3 used, the newest row since removed: AUTOINCREMENT remembers 3.
    for (int i = 0; i < 3; ++i)
        old.exec("INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, at) "
                 "VALUES (1, 1, 'c', 'e1', 'upsert', 1)");
    old.exec("DELETE FROM change_log WHERE seq = 3");
}

int ephemeral_tables(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement q(db, "EXPLAIN " + sql);
    int n = 0;
    while (q.executeStep())
        if (q.getColumn(1).getString() == "OpenEphemeral") ++n;
    return n;
}

const char* const kInsertEvent =
    "INSERT INTO events (calendar_id, event_id, status, kind, start, \"end\", start_ts, end_ts, raw) "
    "VALUES (1, 'e2', 'confirmed', ?, '2026-01-01', '2026-01-02', 0, 1, '{}')";

}  // namespace

TEST_CASE("migration 5 rewrites the IN-list CHECKs in place: rows kept, same values allowed", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    create_v4(path);
    {
        SQLite::Database v4(path.string(), SQLite::OPEN_READWRITE);
        CHECK(ephemeral_tables(v4, kInsertEvent) == 1);  // what the migration is for
    }
    auto db = Database::open(path);
    auto& sql = db->sql();
    CHECK(db->schema_version() == latest_schema_version());
    CHECK(sql.execAndGet("PRAGMA integrity_check").getString() == "ok");
    CHECK(sql.execAndGet("SELECT kind FROM events WHERE event_id = 'e1'").getString() == "exception");
    CHECK(sql.execAndGet("SELECT status FROM integrations WHERE id = 1").getString() == "needs_reauth");
    CHECK(sql.execAndGet("SELECT count(*) FROM webhook_queue WHERE status = 'dead'").getInt() == 1);
    CHECK(sql.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name IN ('events', 'integrations', "
                         "'webhook_queue') AND (sql LIKE '%kind IN (%' OR sql LIKE '%status IN (%')")
              .getInt() == 0);

    CHECK(ephemeral_tables(sql, kInsertEvent) == 0);
    CHECK(ephemeral_tables(sql, "UPDATE integrations SET status = 'connected'") == 0);
    CHECK(ephemeral_tables(sql, "UPDATE webhook_queue SET status = 'done', kind = 'change'") == 0);

    // The constraints still hold, with the same allowed values.
    for (const char* kind : {"single", "series", "instance", "exception"}) {
        SQLite::Statement q(sql, kInsertEvent);
        q.bind(1, kind);
        CHECK_NOTHROW(q.exec());
        sql.exec("DELETE FROM events WHERE event_id = 'e2'");
    }
    SQLite::Statement bad(sql, kInsertEvent);
    bad.bind(1, "occurrence");
    CHECK_THROWS_WITH(bad.exec(), Catch::Contains("CHECK constraint failed"));
    CHECK_THROWS_AS(sql.exec("UPDATE integrations SET status = 'gone'"), SQLite::Exception);
    CHECK_THROWS_AS(sql.exec("UPDATE webhook_queue SET status = 'lost'"), SQLite::Exception);
    CHECK_THROWS_AS(sql.exec("UPDATE webhook_queue SET kind = 'other'"), SQLite::Exception);
    CHECK_NOTHROW(sql.exec("UPDATE webhook_queue SET status = 'pending', kind = 'sync'"));

    CHECK(sql.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'events_start'")
              .getInt() == 0);
    // change_log: no AUTOINCREMENT any more; the highest seq ever used moved to meta.
    CHECK(sql.execAndGet("SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%AUTOINCREMENT%'").getInt() == 0);
    CHECK(sql.execAndGet("SELECT count(*) FROM change_log").getInt() == 2);
    CHECK(sql.execAndGet("SELECT value FROM meta WHERE name = 'change_log_seq'").getInt() == 3);
    CHECK(sql.execAndGet("SELECT count(*) FROM sqlite_sequence WHERE name = 'change_log'").getInt() == 0);
    CHECK(ephemeral_tables(sql, "INSERT INTO change_log (seq, integration_id, calendar_id, provider_calendar_id, "
                                "event_id, op, at) VALUES (9, 1, 1, 'c', 'e1', 'delete', 1)") == 0);

    // Another connection that had the old schema cached sees the new one.
    auto again = Database::open(path);
    CHECK(ephemeral_tables(again->sql(), kInsertEvent) == 0);
}

TEST_CASE("migration 5 refuses a CHECK it did not create and leaves the file as it was", "[db]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    create_v4(path);
    {
        SQLite::Database v4(path.string(), SQLite::OPEN_READWRITE);
        v4.exec("PRAGMA writable_schema = ON");
        v4.exec("UPDATE sqlite_schema SET sql = replace(sql, '''instance'', ''exception'')', "
                "'''exception'', ''instance'')') WHERE name = 'events'");
        int version = v4.execAndGet("PRAGMA schema_version").getInt();
        v4.exec("PRAGMA schema_version = " + std::to_string(version + 1));
        v4.exec("PRAGMA writable_schema = OFF");
    }
    CHECK_THROWS_WITH(Database::open(path), Catch::Contains("table events"));
    SQLite::Database v4(path.string(), SQLite::OPEN_READWRITE);
    CHECK(v4.execAndGet("PRAGMA user_version").getInt() == 4);
    CHECK(v4.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name IN ('integrations', 'webhook_queue') AND "
                        "sql LIKE '%CHECK (status IN%'")
              .getInt() == 2);
    CHECK(v4.execAndGet("PRAGMA integrity_check").getString() == "ok");
}
