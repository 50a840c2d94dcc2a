// config/config.hpp: the TOML reader, URL checks and the merge of file,
// settings and environment.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "config/config.hpp"
#include "errors.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::TempDir;
using calsync::test::write_file;

namespace {

// SPEC §3's example, with real values in place of "…".
const char* kSpecToml = R"toml(
db = "/var/lib/calsync/calsync.db"      # or --db, CALSYNC_DB
key-file = "/etc/calsync/calsync.key"  # or --key-file, CALSYNC_KEY_FILE;
                                       # default $CREDENTIALS_DIRECTORY/calsync.key under systemd
public-url = "https://cal.example.com/calsync"   # where calsync-webhook is reachable;

[google]
client-id = "gid.apps.googleusercontent.com"
client-secret = "gsecret"                       # or client-secret-file
auth-url     = "https://accounts.google.com/o/oauth2/v2/auth"
token-url    = "https://oauth2.googleapis.com/token"
revoke-url   = "https://oauth2.googleapis.com/revoke"
userinfo-url = "https://openidconnect.googleapis.com/v1/userinfo"
api-url      = "https://www.googleapis.com/calendar/v3"

[microsoft]
client-id = "mid"
client-secret = "msecret"        # optional: a public client (CLI-only use) sends none
tenant = "common"
authority-url = "https://login.microsoftonline.com"
graph-url = "https://graph.microsoft.com/v1.0"
)toml";

Config load(const TempDir& dir, const std::string& toml, RawSettings settings = {},
            std::map<std::string, std::string> env = {}) {
    write_file(dir / "calsync.conf", toml);
    return load_config({dir / "calsync.conf", std::move(settings)}, env);
}

}  // namespace

TEST_CASE("parse_config_text reads SPEC's example into dotted keys", "[config]") {
    RawSettings s = parse_config_text(kSpecToml, "test.conf");
    RawSettings expected = {
        {"db", "/var/lib/calsync/calsync.db"},
        {"key-file", "/etc/calsync/calsync.key"},
        {"public-url", "https://cal.example.com/calsync"},
        {"google.client-id", "gid.apps.googleusercontent.com"},
        {"google.client-secret", "gsecret"},
        {"google.auth-url", "https://accounts.google.com/o/oauth2/v2/auth"},
        {"google.token-url", "https://oauth2.googleapis.com/token"},
        {"google.revoke-url", "https://oauth2.googleapis.com/revoke"},
        {"google.userinfo-url", "https://openidconnect.googleapis.com/v1/userinfo"},
        {"google.api-url", "https://www.googleapis.com/calendar/v3"},
        {"microsoft.client-id", "mid"},
        {"microsoft.client-secret", "msecret"},
        {"microsoft.tenant", "common"},
        {"microsoft.authority-url", "https://login.microsoftonline.com"},
        {"microsoft.graph-url", "https://graph.microsoft.com/v1.0"},
    };
    CHECK(s == expected);
}

TEST_CASE("parse_config_text accepts an empty or comment-only file", "[config]") {
    CHECK(parse_config_text("", "x").empty());
    CHECK(parse_config_text("# nothing here\n\n", "x").empty());
}

TEST_CASE("parse_config_text rejects unknown keys by name", "[config]") {
    CHECK_THROWS_AS(parse_config_text("colour = \"blue\"\n", "a.conf"), ConfigError);
    CHECK_THROWS_WITH(parse_config_text("colour = \"blue\"\n", "a.conf"),
                      Catch::Contains("colour") && Catch::Contains("a.conf"));
    CHECK_THROWS_WITH(parse_config_text("[google]\nclient-idd = \"x\"\n", "a.conf"),
                      Catch::Contains("google.client-idd"));
    CHECK_THROWS_WITH(parse_config_text("[yahoo]\nclient-id = \"x\"\n", "a.conf"), Catch::Contains("yahoo.client-id"));
    // A section key written at top level is not the same key.
    CHECK_THROWS_WITH(parse_config_text("client-id = \"x\"\n", "a.conf"), Catch::Contains("client-id"));
}

TEST_CASE("parse_config_text rejects a list where one value is expected", "[config]") {
    CHECK_THROWS_AS(parse_config_text("db = [\"a\", \"b\"]\n", "a.conf"), ConfigError);
}

TEST_CASE("config keys map to options and environment names", "[config]") {
    std::set<std::string> names;
    for (const auto& k : config_keys()) {
        INFO(k.key);
        CHECK(names.insert(k.key).second);
        CHECK_FALSE(k.help.empty());
        CHECK(bool(k.apply));
    }
    auto it = std::find_if(config_keys().begin(), config_keys().end(),
                           [](const ConfigKey& k) { return k.key == "google.client-id"; });
    REQUIRE(it != config_keys().end());
    CHECK(it->option() == "--google-client-id");
    CHECK(it->env() == "CALSYNC_GOOGLE_CLIENT_ID");
    for (const char* secret : {"google.client-secret", "microsoft.client-secret"}) {
        auto s = std::find_if(config_keys().begin(), config_keys().end(),
                              [&](const ConfigKey& k) { return k.key == secret; });
        REQUIRE(s != config_keys().end());
        CHECK(s->secret);
    }
}

TEST_CASE("validate_url accepts https and loopback http", "[config]") {
    for (const char* ok : {"https://example.com", "https://example.com:8443/a/b?c=d", "http://127.0.0.1:8080/x",
                           "http://127.0.0.2/", "http://localhost:9000", "http://[::1]:8080/"}) {
        INFO(ok);
        CHECK_NOTHROW(validate_url("google.token-url", ok, false));
    }
}

TEST_CASE("validate_url refuses plain http elsewhere unless allowed", "[config]") {
    CHECK_THROWS_AS(validate_url("google.token-url", "http://example.com/token", false), ConfigError);
    CHECK_THROWS_WITH(validate_url("google.token-url", "http://example.com/token", false),
                      Catch::Contains("google.token-url") && Catch::Contains("allow-insecure-http"));
    CHECK_NOTHROW(validate_url("google.token-url", "http://example.com/token", true));
    CHECK_THROWS_AS(validate_url("k", "http://localhost.example.com/", false), ConfigError);
    CHECK_THROWS_AS(validate_url("k", "http://10.0.0.1/", false), ConfigError);
}

TEST_CASE("validate_url treats only real loopback addresses as loopback", "[config]") {
    // is_loopback_host in config/config.cpp matches any host starting with "127.",
    // so a DNS name like 127.0.0.1.nip.io (or 127.evil.example) gets plain http.
    CHECK_THROWS_AS(validate_url("k", "http://127.0.0.1.nip.io/token", false), ConfigError);
    CHECK_THROWS_AS(validate_url("k", "http://127.evil.example/token", false), ConfigError);
}

TEST_CASE("validate_url refuses what is not an http(s) URL", "[config]") {
    for (const char* bad : {"not a url", "", "ftp://example.com/x", "file:///etc/passwd", "https://",
                            "https://exa mple.com/", "https://example.com/a b"}) {
        INFO("'" << bad << "'");
        CHECK_THROWS_AS(validate_url("public-url", bad, true), ConfigError);
    }
    CHECK_THROWS_WITH(validate_url("public-url", "not a url", false), Catch::Contains("public-url"));
}

TEST_CASE("load_config: settings beat the file, the file beats defaults", "[config]") {
    TempDir dir;
    Config c = load(dir,
                    "db = \"/from/file.db\"\n[google]\nclient-id = \"file-id\"\n[microsoft]\ntenant = \"file-tenant\"\n",
                    {{"db", "/from/flag.db"}, {"microsoft.tenant", "flag-tenant"}});
    CHECK(c.db == "/from/flag.db");
    CHECK(c.google.client_id == "file-id");
    CHECK(c.microsoft.tenant == "flag-tenant");
    CHECK(c.google.token_url == "https://oauth2.googleapis.com/token");
    CHECK(c.http_timeout_seconds == 60);
    CHECK(c.connect_timeout_seconds == 10);
    CHECK_FALSE(c.allow_insecure_http);
}

TEST_CASE("load_config reads SPEC's example", "[config]") {
    TempDir dir;
    Config c = load(dir, kSpecToml);
    CHECK(c.key_file == "/etc/calsync/calsync.key");
    CHECK(c.public_url == "https://cal.example.com/calsync");
    CHECK(c.google.client_secret.reveal() == "gsecret");
    CHECK(c.microsoft.client_id == "mid");
}

TEST_CASE("load_config defaults db and key paths from systemd's directories", "[config]") {
    TempDir dir;
    Config plain = load(dir, "");
    CHECK(plain.db == "/var/lib/calsync/calsync.db");
    CHECK(plain.key_file == "/etc/calsync/calsync.key");

    Config sd = load(dir, "", {},
                     {{"STATE_DIRECTORY", "/var/lib/calsync-a:/var/lib/other"},
                      {"CREDENTIALS_DIRECTORY", "/run/credentials/calsync.service"}});
    CHECK(sd.db == "/var/lib/calsync-a/calsync.db");
    CHECK(sd.key_file == "/run/credentials/calsync.service/calsync.key");

    Config given = load(dir, "key-file = \"/k\"\n", {{"db", "/d.db"}}, {{"STATE_DIRECTORY", "/s"}, {"CREDENTIALS_DIRECTORY", "/c"}});
    CHECK(given.db == "/d.db");
    CHECK(given.key_file == "/k");
}

TEST_CASE("load_config: a missing, explicitly given file is an error", "[config]") {
    TempDir dir;
    CHECK_THROWS_AS(load_config({dir / "nope.conf", {}}, {}), ConfigError);
    CHECK_THROWS_WITH(load_config({dir / "nope.conf", {}}, {}), Catch::Contains("nope.conf"));
}

TEST_CASE("load_config validates URLs after allow-insecure-http is known", "[config]") {
    TempDir dir;
    std::string toml = "[google]\ntoken-url = \"http://emulator.test/token\"\n";
    CHECK_THROWS_WITH(load(dir, toml), Catch::Contains("google.token-url"));
    Config c = load(dir, "allow-insecure-http = true\n" + toml);
    CHECK(c.allow_insecure_http);
    CHECK(c.google.token_url == "http://emulator.test/token");
    CHECK_NOTHROW(load(dir, toml, {{"allow-insecure-http", "yes"}}));
    CHECK_THROWS_AS(load(dir, "", {{"allow-insecure-http", "maybe"}}), ConfigError);
    CHECK_THROWS_AS(load(dir, "", {{"public-url", "http://cal.example.com/"}}), ConfigError);
    CHECK_THROWS_AS(load(dir, "", {{"microsoft.graph-url", "not a url"}}), ConfigError);
}

TEST_CASE("load_config checks timeouts and the tenant", "[config]") {
    TempDir dir;
    Config c = load(dir, "", {{"http-timeout", "2m"}, {"connect-timeout", "5"}});
    CHECK(c.http_timeout_seconds == 120);
    CHECK(c.connect_timeout_seconds == 5);
    for (const char* bad : {"0s", "2h", "soon", "-1"}) {
        INFO(bad);
        CHECK_THROWS_WITH(load(dir, "", {{"http-timeout", bad}}), Catch::Contains("http-timeout"));
    }
    CHECK_NOTHROW(load(dir, "", {{"microsoft.tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47"}}));
    CHECK_THROWS_WITH(load(dir, "", {{"microsoft.tenant", "common/../evil"}}), Catch::Contains("microsoft.tenant"));
    CHECK_THROWS_AS(load(dir, "", {{"microsoft.tenant", ""}}), ConfigError);
}

TEST_CASE("load_config reads a client secret file, trimmed", "[config]") {
    TempDir dir;
    write_file(dir / "gsecret", "  s3cret-value\n");
    write_file(dir / "empty", "\n");
    Config c = load(dir, "", {{"google.client-secret-file", (dir / "gsecret").string()}});
    CHECK(c.google.client_secret.reveal() == "s3cret-value");
    CHECK_THROWS_WITH(load(dir, "", {{"microsoft.client-secret-file", (dir / "empty").string()}}),
                      Catch::Contains("is empty"));
    CHECK_THROWS_WITH(load(dir, "", {{"google.client-secret-file", (dir / "missing").string()}}),
                      Catch::Contains("google.client-secret-file"));
}
