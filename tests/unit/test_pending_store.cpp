// store/pending.hpp: single-use, expiring, provider-bound authorization state.
#include <catch2/catch.hpp>

#include "errors.hpp"
#include "store/pending.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::TempDir;
using calsync::test::read_file;

namespace {

constexpr int64_t kNow = 1795428000;
constexpr int64_t kTtl = 600;

struct PendingFixture {
    TempDir dir;
    std::unique_ptr<Database> db = Database::open(dir / "calsync.db");
    Key key{std::string(32, 'k')};
    PendingStore store{*db};
    Secret state{"state-PLAINTEXT-abcdefghijklmnopqrstuvwxyz"};
    PendingAuthorization pending{"acme", Provider::google, "http://127.0.0.1:8765/callback",
                                 Secret("verifier-PLAINTEXT-0123456789")};

    PendingFixture() { store.create(key, state, pending, kNow, kTtl); }
    int rows() { return db->sql().execAndGet("SELECT count(*) FROM pending_authorizations").getInt(); }
};

}  // namespace

TEST_CASE("consume returns what create bound, once", "[pending]") {
    PendingFixture f;
    PendingAuthorization p = f.store.consume(f.key, f.state.reveal(), Provider::google, kNow + 30);
    CHECK(p.org_id == "acme");
    CHECK(p.provider == Provider::google);
    CHECK(p.redirect_uri == "http://127.0.0.1:8765/callback");
    CHECK(p.code_verifier.reveal() == "verifier-PLAINTEXT-0123456789");

    CHECK_THROWS_AS(f.store.consume(f.key, f.state.reveal(), Provider::google, kNow + 31), InputError);
    CHECK_THROWS_WITH(f.store.consume(f.key, f.state.reveal(), Provider::google, kNow + 31),
                      Catch::Contains("already used"));
}

TEST_CASE("consume refuses an unknown state", "[pending]") {
    PendingFixture f;
    CHECK_THROWS_AS(f.store.consume(f.key, "forged", Provider::google, kNow), InputError);
    CHECK_THROWS_AS(f.store.consume(f.key, "", Provider::google, kNow), InputError);
    CHECK_THROWS_WITH(f.store.consume(f.key, f.state.reveal() + "x", Provider::google, kNow),
                      Catch::Contains("unknown"));
}

TEST_CASE("consume refuses an expired state", "[pending]") {
    PendingFixture f;
    CHECK_THROWS_AS(f.store.consume(f.key, f.state.reveal(), Provider::google, kNow + kTtl + 1), InputError);
    CHECK_THROWS_WITH(f.store.consume(f.key, f.state.reveal(), Provider::google, kNow + kTtl + 1),
                      Catch::Contains("expired"));
}

TEST_CASE("consume accepts a state just before it expires", "[pending]") {
    PendingFixture f;
    CHECK_NOTHROW(f.store.consume(f.key, f.state.reveal(), Provider::google, kNow + kTtl - 1));
}

TEST_CASE("consume refuses a state issued for the other provider", "[pending]") {
    PendingFixture f;
    CHECK_THROWS_AS(f.store.consume(f.key, f.state.reveal(), Provider::microsoft, kNow), InputError);
    CHECK_THROWS_WITH(f.store.consume(f.key, f.state.reveal(), Provider::microsoft, kNow),
                      Catch::Contains("another provider"));
}

TEST_CASE("only the state's digest and the sealed verifier are stored", "[pending]") {
    PendingFixture f;
    CHECK(f.db->sql().execAndGet("SELECT state_digest FROM pending_authorizations").getString() ==
          sha256_hex(f.state.reveal()));
    std::string bytes = read_file(f.dir / "calsync.db") + read_file((f.dir / "calsync.db").string() + "-wal");
    CHECK(bytes.find("127.0.0.1:8765") != std::string::npos);  // the probe sees plaintext columns
    CHECK(bytes.find("state-PLAINTEXT") == std::string::npos);
    CHECK(bytes.find("verifier-PLAINTEXT") == std::string::npos);
}

TEST_CASE("consume with another key fails and leaves the state unused", "[pending]") {
    PendingFixture f;
    CHECK_THROWS_AS(f.store.consume(Key(std::string(32, 'x')), f.state.reveal(), Provider::google, kNow), CryptoError);
    CHECK(f.store.consume(f.key, f.state.reveal(), Provider::google, kNow).org_id == "acme");
}

TEST_CASE("create purges rows expired for more than a day", "[pending]") {
    PendingFixture f;
    Secret recent("second-state");
    f.store.create(f.key, recent, f.pending, kNow + kTtl + 86400, kTtl);
    CHECK(f.rows() == 2);  // expired, but kept so a late replay says "expired"
    f.store.create(f.key, Secret("third-state"), f.pending, kNow + kTtl + 86400 + 1, kTtl);
    CHECK(f.rows() == 2);
    CHECK_THROWS_WITH(f.store.consume(f.key, f.state.reveal(), Provider::google, kNow + kTtl + 86400 + 2),
                      Catch::Contains("unknown"));
}

TEST_CASE("creating the same state twice is refused", "[pending]") {
    PendingFixture f;
    CHECK_THROWS(f.store.create(f.key, f.state, f.pending, kNow + 1, kTtl));
}
