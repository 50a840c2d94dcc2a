// oauth/oauth_client.hpp: scopes, authorization URLs and the token endpoint
// calls, against a scripted HttpClient (no network).
#include <catch2/catch.hpp>

#include <algorithm>

#include "errors.hpp"
#include "oauth/oauth_client.hpp"
#include "support.hpp"
#include "util/encoding.hpp"

using namespace calsync;
using calsync::test::FakeHttp;

namespace {

const std::string kRedirect = "http://127.0.0.1:8765/callback";
const std::string kCalendarReadonly = "https://www.googleapis.com/auth/calendar.readonly";

Config test_config() {
    Config c;
    c.google.client_id = "google-client.apps.googleusercontent.com";
    c.google.client_secret = Secret("google-secret");
    c.microsoft.client_id = "11111111-2222-3333-4444-555555555555";
    c.microsoft.tenant = "contoso.onmicrosoft.com";
    return c;
}

std::pair<std::string, Params> split_url(const std::string& url) {
    auto q = url.find('?');
    REQUIRE(q != std::string::npos);
    return {url.substr(0, q), parse_query(url.substr(q + 1))};
}

std::string param(const Params& p, const std::string& key) {
    auto v = find_param(p, key);
    INFO("parameter " << key);
    REQUIRE(v);
    return *v;
}

}  // namespace

TEST_CASE("normalize_scopes splits on spaces and strips the Graph prefix", "[oauth]") {
    CHECK(normalize_scopes("") == std::vector<std::string>{});
    CHECK(normalize_scopes("openid  email ") == std::vector<std::string>{"openid", "email"});
    CHECK(normalize_scopes("https://graph.microsoft.com/Calendars.Read https://graph.microsoft.com/User.Read "
                           "offline_access") ==
          std::vector<std::string>{"Calendars.Read", "User.Read", "offline_access"});
    CHECK(normalize_scopes(kCalendarReadonly + " openid") == std::vector<std::string>{kCalendarReadonly, "openid"});
    CHECK(normalize_scopes("https://graph.microsoft.com/") == std::vector<std::string>{});
}

TEST_CASE("OAuthClient requires the provider's client id", "[oauth]") {
    FakeHttp http;
    Config c;
    CHECK_THROWS_AS(OAuthClient(Provider::google, c, http), ConfigError);
    CHECK_THROWS_WITH(OAuthClient(Provider::microsoft, c, http), Catch::Contains("microsoft.client-id"));
    c.google.client_id = "id";
    CHECK_NOTHROW(OAuthClient(Provider::google, c, http));
    CHECK_THROWS_AS(OAuthClient(Provider::microsoft, c, http), ConfigError);
}

TEST_CASE("Google authorization URL asks for offline access with PKCE", "[oauth]") {
    FakeHttp http;
    Config c = test_config();
    OAuthClient client(Provider::google, c, http);
    std::string url = client.authorization_url(kRedirect, Secret("st-123"), "challenge-abc");
    auto [base, q] = split_url(url);
    CHECK(base == "https://accounts.google.com/o/oauth2/v2/auth");
    CHECK(param(q, "client_id") == c.google.client_id);
    CHECK(param(q, "response_type") == "code");
    CHECK(param(q, "access_type") == "offline");
    CHECK(param(q, "prompt") == "consent");
    CHECK(param(q, "code_challenge_method") == "S256");
    CHECK(param(q, "code_challenge") == "challenge-abc");
    CHECK(param(q, "state") == "st-123");
    CHECK(param(q, "redirect_uri") == kRedirect);
    CHECK(url.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback") != std::string::npos);
    auto scopes = normalize_scopes(param(q, "scope"));
    CHECK(std::count(scopes.begin(), scopes.end(), kCalendarReadonly) == 1);
    CHECK(client.missing_scopes(scopes).empty());
    CHECK(url.find("google-secret") == std::string::npos);  // the secret never goes in a URL
    CHECK(http.requests.empty());
}

TEST_CASE("Microsoft authorization URL puts the tenant in the path", "[oauth]") {
    FakeHttp http;
    Config c = test_config();
    OAuthClient client(Provider::microsoft, c, http);
    auto [base, q] = split_url(client.authorization_url(kRedirect, Secret("st-ms"), "ch"));
    CHECK(base == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize");
    CHECK(param(q, "client_id") == c.microsoft.client_id);
    CHECK(param(q, "code_challenge_method") == "S256");
    CHECK(param(q, "code_challenge") == "ch");
    CHECK(param(q, "state") == "st-ms");
    CHECK(param(q, "redirect_uri") == kRedirect);
    auto scopes = normalize_scopes(param(q, "scope"));
    CHECK(std::count(scopes.begin(), scopes.end(), "offline_access") == 1);
    CHECK(std::count(scopes.begin(), scopes.end(), "Calendars.Read") == 1);
    CHECK_FALSE(find_param(q, "access_type"));
}

TEST_CASE("authorization_url appends to an auth URL that already has a query", "[oauth]") {
    FakeHttp http;
    Config c = test_config();
    c.google.auth_url = "http://127.0.0.1:9000/auth?tenant=t1";
    OAuthClient client(Provider::google, c, http);
    std::string url = client.authorization_url(kRedirect, Secret("s"), "c");
    CHECK(url.rfind("http://127.0.0.1:9000/auth?tenant=t1&", 0) == 0);
    CHECK(url.find('?') == url.rfind('?'));
}

TEST_CASE("missing_scopes reports the calendar scope when absent", "[oauth]") {
    FakeHttp http;
    Config c = test_config();
    OAuthClient google(Provider::google, c, http);
    CHECK(google.missing_scopes({"openid", "email"}) == std::vector<std::string>{kCalendarReadonly});
    CHECK(google.missing_scopes({kCalendarReadonly, "https://www.googleapis.com/auth/userinfo.email"}).empty());
    CHECK(google.missing_scopes({}).size() == 2);
    CHECK(google.missing_scopes({"https://www.googleapis.com/auth/calendar.events.readonly", "email"}) ==
          std::vector<std::string>{kCalendarReadonly});

    OAuthClient ms(Provider::microsoft, c, http);
    CHECK(ms.missing_scopes({"User.Read", "openid"}) == std::vector<std::string>{"Calendars.Read"});
    CHECK(ms.missing_scopes(normalize_scopes("https://graph.microsoft.com/Calendars.Read "
                                             "https://graph.microsoft.com/User.Read"))
              .empty());
}

TEST_CASE("exchange_code posts the code and verifier and parses the tokens", "[oauth]") {
    FakeHttp http;
    http.respond(200, R"({"access_token":"at-1","expires_in":"3599","refresh_token":"rt-1",)"
                      R"("scope":"https://graph.microsoft.com/Calendars.Read https://graph.microsoft.com/User.Read"})");
    Config c = test_config();  // Microsoft: public client, no secret
    OAuthClient client(Provider::microsoft, c, http);
    TokenResponse t = client.exchange_code(Secret("the-code"), Secret("the-verifier"), kRedirect);

    CHECK(t.access_token.reveal() == "at-1");
    CHECK(t.expires_in == 3599);
    REQUIRE(t.refresh_token);
    CHECK(t.refresh_token->reveal() == "rt-1");
    CHECK(t.granted_scopes == std::vector<std::string>{"Calendars.Read", "User.Read"});

    REQUIRE(http.requests.size() == 1);
    const HttpRequest& req = http.requests[0];
    CHECK(req.method == "POST");
    CHECK(req.url == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    Params form = parse_query(req.body);
    CHECK(param(form, "grant_type") == "authorization_code");
    CHECK(param(form, "code") == "the-code");
    CHECK(param(form, "code_verifier") == "the-verifier");
    CHECK(param(form, "redirect_uri") == kRedirect);
    CHECK_FALSE(find_param(form, "client_secret"));  // a public client sends none
}

TEST_CASE("Google refresh sends the client secret and keeps a missing refresh token absent", "[oauth]") {
    FakeHttp http;
    http.respond(200, R"({"access_token":"at-2","expires_in":3600,"scope":"openid email"})");
    Config c = test_config();
    OAuthClient client(Provider::google, c, http);
    TokenResponse t = client.refresh(Secret("rt-old"));
    CHECK(t.access_token.reveal() == "at-2");
    CHECK_FALSE(t.refresh_token);
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].url == c.google.token_url);
    Params form = parse_query(http.requests[0].body);
    CHECK(param(form, "grant_type") == "refresh_token");
    CHECK(param(form, "refresh_token") == "rt-old");
    CHECK(param(form, "client_secret") == "google-secret");
}

TEST_CASE("refresh turns invalid_grant into InvalidGrant and other errors into ProviderError", "[oauth]") {
    Config c = test_config();
    {
        FakeHttp http;
        http.respond(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
        OAuthClient client(Provider::google, c, http);
        CHECK_THROWS_AS(client.refresh(Secret("rt")), InvalidGrant);
    }
    {
        FakeHttp http;
        http.respond(401, R"({"error":"invalid_client"})");
        OAuthClient client(Provider::google, c, http);
        try {
            client.refresh(Secret("rt-secret-value"));
            FAIL("no exception");
        } catch (const InvalidGrant&) {
            FAIL("invalid_client is not invalid_grant");
        } catch (const ProviderError& e) {
            CHECK(e.status() == 401);
            CHECK(e.code() == "invalid_client");
            CHECK(std::string(e.what()).find("rt-secret-value") == std::string::npos);
        }
    }
    {
        FakeHttp http;
        http.respond(200, "<html>not json</html>");
        OAuthClient client(Provider::google, c, http);
        CHECK_THROWS_AS(client.refresh(Secret("rt")), ProviderError);
    }
    {
        FakeHttp http;
        http.respond(200, R"({"token_type":"Bearer"})");
        OAuthClient client(Provider::google, c, http);
        CHECK_THROWS_WITH(client.refresh(Secret("rt")), Catch::Contains("no access_token"));
    }
}
