// store/integrations.hpp against a real SQLite file: upsert, sealed tokens,
// optimistic refresh, status changes and the AAD binding of each token.
#include <catch2/catch.hpp>

#include "errors.hpp"
#include "store/integrations.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::TempDir;
using calsync::test::read_file;

namespace {

constexpr int64_t kNow = 1795428000;

struct StoreFixture {
    TempDir dir;
    std::filesystem::path path = dir / "calsync.db";
    std::unique_ptr<Database> db = Database::open(path);
    Key key{std::string(32, 'k')};
    IntegrationStore store{*db};
};

AccountInfo account(const std::string& id, const std::string& email = "ada@example.com") {
    return {id, email, "Ada"};
}

TokenResponse tokens(const std::string& access, std::optional<std::string> refresh, int64_t expires_in = 3600,
                     std::vector<std::string> scopes = {"openid", "email"}) {
    TokenResponse t;
    t.access_token = Secret(access);
    t.expires_in = expires_in;
    if (refresh) t.refresh_token = Secret(*refresh);
    t.granted_scopes = std::move(scopes);
    return t;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("save_authorized inserts a connected integration", "[store]") {
    StoreFixture f;
    SaveResult r = f.store.save_authorized(f.key, "acme", Provider::google, account("sub-1"),
                                           tokens("ya29.A", "1//R", 3599, {"openid", "email"}), kNow);
    CHECK(r.created);
    CHECK(r.id > 0);
    Integration i = f.store.require(r.id);
    CHECK(i.org_id == "acme");
    CHECK(i.provider == Provider::google);
    CHECK(i.account_id == "sub-1");
    CHECK(i.account_email == "ada@example.com");
    CHECK(i.status == "connected");
    CHECK(i.granted_scopes == "openid email");
    CHECK(i.access_token_expires_at == kNow + 3599);
    CHECK(i.token_version == 1);
    CHECK_FALSE(i.last_error);
    CHECK(i.created_at == kNow);
    CHECK(f.store.find("acme", Provider::google, "sub-1")->id == r.id);
    CHECK_FALSE(f.store.find("acme", Provider::microsoft, "sub-1"));
}

TEST_CASE("save_authorized updates the same org/provider/account in place", "[store]") {
    StoreFixture f;
    auto first = f.store.save_authorized(f.key, "acme", Provider::google, account("sub-1"), tokens("A1", "R1"), kNow);
    auto again = f.store.save_authorized(f.key, "acme", Provider::google, account("sub-1", "new@example.com"),
                                         tokens("A2", "R2"), kNow + 60);
    CHECK_FALSE(again.created);
    CHECK(again.id == first.id);
    Integration i = f.store.require(first.id);
    CHECK(i.account_email == "new@example.com");
    CHECK(i.token_version == 2);
    CHECK(i.created_at == kNow);
    CHECK(i.updated_at == kNow + 60);
    CHECK(f.store.tokens(f.key, first.id).access_token.reveal() == "A2");
    CHECK(f.store.list().size() == 1);

    // Another org, or another provider, is another integration.
    auto other_org = f.store.save_authorized(f.key, "globex", Provider::google, account("sub-1"), tokens("A", "R"), kNow);
    auto other_provider = f.store.save_authorized(f.key, "acme", Provider::microsoft, account("sub-1"), tokens("A", "R"), kNow);
    CHECK(other_org.created);
    CHECK(other_provider.created);
    CHECK(other_org.id != first.id);
    CHECK(other_provider.id != first.id);
    auto all = f.store.list();
    REQUIRE(all.size() == 3);
    CHECK(all[0].id < all[1].id);
    CHECK(all[1].id < all[2].id);
}

TEST_CASE("save_authorized without a refresh token keeps the earlier one", "[store]") {
    StoreFixture f;
    auto r = f.store.save_authorized(f.key, "acme", Provider::google, account("sub-1"), tokens("A1", "R1"), kNow);
    f.store.save_authorized(f.key, "acme", Provider::google, account("sub-1"), tokens("A2", std::nullopt), kNow);
    StoredTokens t = f.store.tokens(f.key, r.id);
    CHECK(t.access_token.reveal() == "A2");
    CHECK(t.refresh_token.reveal() == "R1");
}

TEST_CASE("tokens() decrypts what save_authorized sealed", "[store]") {
    StoreFixture f;
    auto r = f.store.save_authorized(f.key, "acme", Provider::microsoft, account("oid-1"),
                                     tokens("eyJ.access", "M.refresh", 4000), kNow);
    StoredTokens t = f.store.tokens(f.key, r.id);
    CHECK(t.access_token.reveal() == "eyJ.access");
    CHECK(t.refresh_token.reveal() == "M.refresh");
    CHECK(t.expires_at == kNow + 4000);
    CHECK(t.version == 1);
    CHECK_THROWS_AS(f.store.tokens(f.key, r.id + 100), UsageError);
    CHECK_THROWS_AS(f.store.tokens(Key(std::string(32, 'x')), r.id), CryptoError);
}

TEST_CASE("token plaintext never reaches the database files", "[store]") {
    const std::string access = "ya29.PLAINTEXT-ACCESS-TOKEN-0123456789";
    const std::string refresh = "1//PLAINTEXT-REFRESH-TOKEN-9876543210";
    TempDir dir;
    auto path = dir / "calsync.db";
    Key key(std::string(32, 'k'));
    {
        auto db = Database::open(path);
        IntegrationStore store(*db);
        auto r = store.save_authorized(key, "acme", Provider::google, account("sub-1"), tokens(access, refresh), kNow);
        // While open, the rows may still sit in the WAL.
        std::string bytes = read_file(path) + read_file(path.string() + "-wal");
        CHECK(contains(bytes, "ada@example.com"));  // the probe does find plaintext columns
        CHECK_FALSE(contains(bytes, access));
        CHECK_FALSE(contains(bytes, refresh));
        CHECK(store.tokens(key, r.id).refresh_token.reveal() == refresh);
    }
    std::string bytes = read_file(path);
    CHECK(contains(bytes, "ada@example.com"));
    CHECK_FALSE(contains(bytes, access));
    CHECK_FALSE(contains(bytes, refresh));
}

TEST_CASE("save_refreshed applies only on the expected version", "[store]") {
    StoreFixture f;
    auto r = f.store.save_authorized(f.key, "acme", Provider::microsoft, account("oid"), tokens("A1", "R1"), kNow);
    int64_t v1 = f.store.tokens(f.key, r.id).version;

    REQUIRE(f.store.save_refreshed(f.key, r.id, v1, tokens("A2", std::nullopt, 1800), kNow + 100));
    StoredTokens t = f.store.tokens(f.key, r.id);
    CHECK(t.access_token.reveal() == "A2");
    CHECK(t.refresh_token.reveal() == "R1");  // no new refresh token: the old one stays
    CHECK(t.expires_at == kNow + 100 + 1800);
    CHECK(t.version == v1 + 1);

    // Someone else refreshed since v1: our write is dropped.
    CHECK_FALSE(f.store.save_refreshed(f.key, r.id, v1, tokens("STALE", "STALE-R"), kNow + 200));
    t = f.store.tokens(f.key, r.id);
    CHECK(t.access_token.reveal() == "A2");
    CHECK(t.refresh_token.reveal() == "R1");
    CHECK(t.version == v1 + 1);

    // Microsoft rotated the refresh token: the new one replaces the old.
    REQUIRE(f.store.save_refreshed(f.key, r.id, v1 + 1, tokens("A3", "R2"), kNow + 300));
    t = f.store.tokens(f.key, r.id);
    CHECK(t.access_token.reveal() == "A3");
    CHECK(t.refresh_token.reveal() == "R2");
    CHECK(t.version == v1 + 2);
    CHECK_FALSE(f.store.save_refreshed(f.key, r.id + 1, 0, tokens("A", "R"), kNow));
}

TEST_CASE("mark_needs_reauth records why and blocks refresh writes", "[store]") {
    StoreFixture f;
    auto r = f.store.save_authorized(f.key, "acme", Provider::google, account("sub"), tokens("A1", "R1"), kNow);
    f.store.mark_needs_reauth(r.id, "google: token refresh: invalid_grant", kNow + 10);
    Integration i = f.store.require(r.id);
    CHECK(i.status == "needs_reauth");
    CHECK(i.last_error == std::string("google: token refresh: invalid_grant"));
    CHECK(i.updated_at == kNow + 10);
    CHECK_FALSE(f.store.save_refreshed(f.key, r.id, i.token_version, tokens("A2", std::nullopt), kNow + 20));

    // Authorizing again reconnects and clears the error.
    f.store.save_authorized(f.key, "acme", Provider::google, account("sub"), tokens("A3", "R3"), kNow + 30);
    i = f.store.require(r.id);
    CHECK(i.status == "connected");
    CHECK_FALSE(i.last_error);
}

TEST_CASE("mark_disconnected wipes the tokens", "[store]") {
    StoreFixture f;
    auto r = f.store.save_authorized(f.key, "acme", Provider::google, account("sub"), tokens("A1", "R1"), kNow);
    int64_t before = f.store.require(r.id).token_version;
    f.store.mark_disconnected(r.id, kNow + 5);
    Integration i = f.store.require(r.id);
    CHECK(i.status == "disconnected");
    CHECK_FALSE(i.access_token_expires_at);
    CHECK(i.token_version > before);
    StoredTokens t = f.store.tokens(f.key, r.id);
    CHECK(t.access_token.empty());
    CHECK(t.refresh_token.empty());
    CHECK(t.expires_at == 0);
    CHECK(f.db->sql().execAndGet("SELECT count(*) FROM integrations WHERE access_token IS NULL AND "
                                 "refresh_token IS NULL AND id = " + std::to_string(r.id)).getInt() == 1);
    CHECK_FALSE(f.store.save_refreshed(f.key, r.id, i.token_version, tokens("A2", "R2"), kNow + 6));
}

TEST_CASE("a sealed token copied to another row or column does not open", "[store]") {
    StoreFixture f;
    auto a = f.store.save_authorized(f.key, "acme", Provider::google, account("sub-a"), tokens("A-a", "R-a"), kNow);
    auto b = f.store.save_authorized(f.key, "acme", Provider::google, account("sub-b"), tokens("A-b", "R-b"), kNow);
    REQUIRE_NOTHROW(f.store.tokens(f.key, b.id));

    SECTION("row") {
        f.db->sql().exec("UPDATE integrations SET access_token = (SELECT access_token FROM integrations WHERE id = " +
                         std::to_string(a.id) + ") WHERE id = " + std::to_string(b.id));
        CHECK_THROWS_AS(f.store.tokens(f.key, b.id), CryptoError);
        CHECK(f.store.tokens(f.key, a.id).access_token.reveal() == "A-a");
    }
    SECTION("column") {
        f.db->sql().exec("UPDATE integrations SET refresh_token = access_token WHERE id = " + std::to_string(b.id));
        CHECK_THROWS_AS(f.store.tokens(f.key, b.id), CryptoError);
    }
}

TEST_CASE("token_aad names the row and the column", "[store]") {
    CHECK(IntegrationStore::token_aad(1, "access_token") != IntegrationStore::token_aad(2, "access_token"));
    CHECK(IntegrationStore::token_aad(1, "access_token") != IntegrationStore::token_aad(1, "refresh_token"));
    CHECK(IntegrationStore::token_aad(1, "access_token") != IntegrationStore::token_aad(11, "access_token"));
}

TEST_CASE("get and require on unknown ids", "[store]") {
    StoreFixture f;
    CHECK_FALSE(f.store.get(42));
    CHECK_THROWS_AS(f.store.require(42), UsageError);
    CHECK_THROWS_WITH(f.store.require(42), Catch::Contains("42"));
    CHECK(f.store.list().empty());
}

TEST_CASE("valid_org_id allows [A-Za-z0-9._-]{1,64}", "[store]") {
    for (const std::string& ok : std::vector<std::string>{"acme", "a", "A.b-c_d9", std::string(64, 'x')}) {
        INFO(ok);
        CHECK(valid_org_id(ok));
    }
    for (const std::string& bad : std::vector<std::string>{"", std::string(65, 'x'), "a b", "a/b", "a:b", "\xc3\xa4", "a\n"}) {
        INFO(bad);
        CHECK_FALSE(valid_org_id(bad));
    }
}
