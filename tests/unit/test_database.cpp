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
