// store/key_check.hpp: a database is bound to the first key that touches it.
#include <catch2/catch.hpp>

#include "errors.hpp"
#include "store/key_check.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::TempDir;

TEST_CASE("verify_key binds the first key and accepts it again", "[key_check]") {
    TempDir dir;
    auto path = dir / "calsync.db";
    Key key(std::string(32, 'k'));
    {
        auto db = Database::open(path);
        CHECK(db->sql().execAndGet("SELECT count(*) FROM meta WHERE name = 'key_check'").getInt() == 0);
        REQUIRE_NOTHROW(verify_key(*db, key, "/etc/calsync/calsync.key"));
        CHECK(db->sql().execAndGet("SELECT count(*) FROM meta WHERE name = 'key_check'").getInt() == 1);
        CHECK_NOTHROW(verify_key(*db, key, "/etc/calsync/calsync.key"));
    }
    auto db = Database::open(path);
    CHECK_NOTHROW(verify_key(*db, Key(std::string(32, 'k')), "/elsewhere/calsync.key"));
}

TEST_CASE("verify_key refuses another key and keeps the binding", "[key_check]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    Key right(std::string(32, 'k'));
    Key wrong(std::string(32, 'w'));
    verify_key(*db, right, "right.key");
    std::string before = db->sql().execAndGet("SELECT hex(value) FROM meta WHERE name = 'key_check'").getString();

    CHECK_THROWS_AS(verify_key(*db, wrong, "wrong.key"), ConfigError);
    CHECK_THROWS_WITH(verify_key(*db, wrong, "wrong.key"),
                      Catch::Contains("wrong.key") && Catch::Contains(wrong.fingerprint()));
    CHECK(db->sql().execAndGet("SELECT hex(value) FROM meta WHERE name = 'key_check'").getString() == before);
    CHECK_NOTHROW(verify_key(*db, right, "right.key"));
}

TEST_CASE("verify_key refuses a corrupted check value", "[key_check]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    Key key(std::string(32, 'k'));
    db->sql().exec("INSERT INTO meta (name, value) VALUES ('key_check', x'00')");
    CHECK_THROWS_AS(verify_key(*db, key, "k"), ConfigError);
}
