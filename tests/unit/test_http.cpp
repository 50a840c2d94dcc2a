// http/http.hpp: URL redaction for logs and response header lookup.
#include <catch2/catch.hpp>

#include "http/http.hpp"

using namespace calsync;

TEST_CASE("redact_url hides credential-bearing query values", "[http]") {
    for (const char* key : {"token", "code", "state", "client_secret", "code_verifier", "refresh_token",
                            "access_token", "device_code", "validationToken", "sig"}) {
        INFO(key);
        std::string url = std::string("https://h.example/p/a?pageToken=p1&") + key + "=s3cr3t%2Bv&x=1";
        std::string red = redact_url(url);
        CHECK(red == std::string("https://h.example/p/a?pageToken=p1&") + key + "=***&x=1");
        CHECK(red.find("s3cr3t") == std::string::npos);
    }
}

TEST_CASE("redact_url also recognises a percent-encoded key", "[http]") {
    CHECK(redact_url("https://h/cb?client%5Fsecret=abc&st%61te=def") == "https://h/cb?client%5Fsecret=***&st%61te=***");
}

TEST_CASE("redact_url keeps non-secret parameters and the path", "[http]") {
    std::string url = "https://www.googleapis.com/calendar/v3/calendars/token/events?pageToken=pt&syncToken=st&maxResults=250";
    CHECK(redact_url(url) == url);
    CHECK(redact_url("https://h/token/code/state") == "https://h/token/code/state");
    CHECK(redact_url("https://h/p?") == "https://h/p?");
    CHECK(redact_url("https://h/p?code") == "https://h/p?code");  // no value to hide
    CHECK(redact_url("https://h/p?code=") == "https://h/p?code=***");
}

TEST_CASE("redact_url hides every occurrence of a repeated key", "[http]") {
    CHECK(redact_url("https://h/p?code=a&code=b") == "https://h/p?code=***&code=***");
}

TEST_CASE("HttpResponse::header is case-insensitive and returns the first match", "[http]") {
    HttpResponse r{200, {{"Content-Type", "application/json"}, {"retry-after", "5"}, {"Retry-After", "9"}}, ""};
    CHECK(r.header("content-type") == std::string("application/json"));
    CHECK(r.header("CONTENT-TYPE") == std::string("application/json"));
    CHECK(r.header("Retry-After") == std::string("5"));
    CHECK_FALSE(r.header("Content-Typ"));
    CHECK_FALSE(r.header("Location"));
}

TEST_CASE("HttpResponse::ok covers exactly 2xx", "[http]") {
    auto status = [](long s) { return HttpResponse{s, {}, {}}.ok(); };
    CHECK(status(200));
    CHECK(status(204));
    CHECK(status(299));
    CHECK_FALSE(status(199));
    CHECK_FALSE(status(300));
    CHECK_FALSE(status(0));
}
