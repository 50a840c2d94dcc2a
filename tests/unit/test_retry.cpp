// http/retry.hpp: which responses are retried, Retry-After, backoff bounds and
// the retry loop driven by a scripted HttpClient with a recorded sleep.
#include <catch2/catch.hpp>

#include "http/retry.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::FakeHttp;

namespace {

constexpr int64_t kFixDate = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT

// Hooks that record sleeps instead of sleeping, with fixed jitter and clock.
struct Recorder {
    std::vector<Millis> sleeps;
    double jitter = 0.0;
    int64_t now = kFixDate - 120;

    RetryHooks hooks() {
        return {[this](Millis d) { sleeps.push_back(d); }, [this] { return jitter; }, [this] { return now; }};
    }
};

HttpRequest get(const std::string& url = "https://api.example.com/x?access_token=secret") {
    return {"GET", url, {}, {}};
}

}  // namespace

TEST_CASE("is_retryable_status: 429 and 5xx yes, client errors no", "[retry]") {
    for (long s : {429L, 500L, 502L, 503L, 504L, 509L}) {
        INFO(s);
        CHECK(is_retryable_status(s, ""));
    }
    for (long s : {200L, 204L, 301L, 400L, 401L, 404L, 409L, 410L, 412L, 501L}) {
        INFO(s);
        CHECK_FALSE(is_retryable_status(s, ""));
    }
}

TEST_CASE("is_retryable_status: 403 only for Google's rate and quota reasons", "[retry]") {
    auto body = [](const std::string& reason) {
        return R"({"error":{"code":403,"errors":[{"domain":"usageLimits","reason":")" + reason +
               R"("}],"message":"x"}})";
    };
    CHECK(is_retryable_status(403, body("rateLimitExceeded")));
    CHECK(is_retryable_status(403, body("userRateLimitExceeded")));
    CHECK(is_retryable_status(403, body("quotaExceeded")));
    CHECK_FALSE(is_retryable_status(403, body("forbidden")));
    CHECK_FALSE(is_retryable_status(403, body("insufficientPermissions")));
    CHECK_FALSE(is_retryable_status(403, ""));
    CHECK_FALSE(is_retryable_status(400, body("rateLimitExceeded")));  // only with 403
}

TEST_CASE("parse_retry_after reads delta-seconds", "[retry]") {
    CHECK(parse_retry_after("2", 0) == Millis(2000));
    CHECK(parse_retry_after("0", 0) == Millis(0));
    CHECK(parse_retry_after(" 120 \r\n", 0) == Millis(120000));
    CHECK_FALSE(parse_retry_after("", 0));
    CHECK_FALSE(parse_retry_after("   ", 0));
    CHECK_FALSE(parse_retry_after("9999999999", 0));  // absurdly long: not a usable delay
}

TEST_CASE("parse_retry_after reads HTTP-dates relative to now", "[retry]") {
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", kFixDate - 120) == Millis(120000));
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", kFixDate) == Millis(0));
    CHECK(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", kFixDate - 5) == Millis(5000));
    CHECK(parse_retry_after("Wed Oct 21 07:28:00 2015", kFixDate - 5) == Millis(5000));
    // A date in the past means "now", never a negative wait.
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", kFixDate + 3600) == Millis(0));
}

TEST_CASE("parse_retry_after rejects garbage", "[retry]") {
    CHECK_FALSE(parse_retry_after("soon", kFixDate));
    CHECK_FALSE(parse_retry_after("not a date at all", kFixDate));
    CHECK_FALSE(parse_retry_after("1.5", kFixDate));
}

TEST_CASE("retry_delay: equal jitter within [step/2, step] of an exponential step", "[retry]") {
    RetryPolicy p;
    p.max_attempts = 12;
    p.base_delay = Millis(500);
    p.max_delay = Millis(8000);
    for (int attempt = 1; attempt < p.max_attempts; ++attempt) {
        int64_t step = std::min<int64_t>(8000, int64_t(500) << (attempt - 1));
        INFO("attempt " << attempt << ", step " << step);
        CHECK(retry_delay(p, attempt, std::nullopt, 0.0) == Millis(step / 2));
        CHECK(retry_delay(p, attempt, std::nullopt, 1.0) == Millis(step));
        for (double j : {0.001, 0.25, 0.5, 0.75, 0.999999}) {
            auto d = retry_delay(p, attempt, std::nullopt, j);
            REQUIRE(d);
            CHECK(d->count() >= step / 2);
            CHECK(d->count() <= step);
            CHECK(*d <= p.max_delay);
        }
    }
    CHECK(retry_delay(p, 1, std::nullopt, 0.999999)->count() >= 499);
}

TEST_CASE("retry_delay grows with the attempt number", "[retry]") {
    RetryPolicy p;  // 5 attempts, 500 ms base, 30 s cap
    CHECK(retry_delay(p, 1, std::nullopt, 0.0) == Millis(250));
    CHECK(retry_delay(p, 2, std::nullopt, 0.0) == Millis(500));
    CHECK(retry_delay(p, 3, std::nullopt, 0.0) == Millis(1000));
    CHECK(retry_delay(p, 4, std::nullopt, 0.0) == Millis(2000));
}

TEST_CASE("retry_delay clamps jitter outside [0, 1]", "[retry]") {
    RetryPolicy p;
    CHECK(retry_delay(p, 1, std::nullopt, -3.0) == Millis(250));
    CHECK(retry_delay(p, 1, std::nullopt, 7.0) == Millis(500));
}

TEST_CASE("retry_delay never exceeds max_delay even for huge attempt numbers", "[retry]") {
    RetryPolicy p;
    p.max_attempts = 1000;
    for (int attempt : {10, 30, 62, 63, 64, 200, 999}) {
        INFO(attempt);
        auto d = retry_delay(p, attempt, std::nullopt, 1.0);
        REQUIRE(d);
        CHECK(*d == p.max_delay);
    }
}

TEST_CASE("retry_delay stops once attempts are used up", "[retry]") {
    RetryPolicy p;
    p.max_attempts = 3;
    CHECK(retry_delay(p, 2, std::nullopt, 0.5));
    CHECK_FALSE(retry_delay(p, 3, std::nullopt, 0.5));
    CHECK_FALSE(retry_delay(p, 4, std::nullopt, 0.5));
    CHECK_FALSE(retry_delay(p, 3, Millis(1000), 0.5));  // Retry-After does not add attempts
    p.max_attempts = 1;
    CHECK_FALSE(retry_delay(p, 1, std::nullopt, 0.0));
}

TEST_CASE("retry_delay honours Retry-After exactly, up to max_retry_after", "[retry]") {
    RetryPolicy p;
    for (double j : {0.0, 0.5, 1.0}) {
        CHECK(retry_delay(p, 1, Millis(2000), j) == Millis(2000));
        CHECK(retry_delay(p, 1, Millis(0), j) == Millis(0));
    }
    CHECK(retry_delay(p, 1, Millis(60'000), 0.0) == Millis(60'000));  // above max_delay: still honoured
    CHECK(retry_delay(p, 1, p.max_retry_after, 0.0) == p.max_retry_after);
    CHECK_FALSE(retry_delay(p, 1, p.max_retry_after + Millis(1), 0.0));
}

TEST_CASE("send_with_retry waits exactly Retry-After on 429", "[retry]") {
    FakeHttp http;
    http.respond(429, "slow down", {{"Retry-After", "2"}});
    http.respond(200, "ok");
    Recorder rec;
    rec.jitter = 0.9;
    auto r = send_with_retry(http, get(), RetryPolicy{}, rec.hooks());
    CHECK(r.status == 200);
    CHECK(r.body == "ok");
    CHECK(http.requests.size() == 2);
    CHECK(rec.sleeps == std::vector<Millis>{Millis(2000)});
}

TEST_CASE("send_with_retry reads an HTTP-date Retry-After against the hook clock", "[retry]") {
    FakeHttp http;
    http.respond(503, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}});
    http.respond(200);
    Recorder rec;
    rec.now = kFixDate - 7;
    CHECK(send_with_retry(http, get(), RetryPolicy{}, rec.hooks()).status == 200);
    CHECK(rec.sleeps == std::vector<Millis>{Millis(7000)});
}

TEST_CASE("send_with_retry retries 5xx with backoff until success", "[retry]") {
    FakeHttp http;
    http.respond(500);
    http.respond(500);
    http.respond(200, "done");
    Recorder rec;
    auto r = send_with_retry(http, get(), RetryPolicy{}, rec.hooks());
    CHECK(r.status == 200);
    CHECK(r.body == "done");
    CHECK(http.requests.size() == 3);
    CHECK(rec.sleeps == std::vector<Millis>{Millis(250), Millis(500)});
    for (const auto& req : http.requests) CHECK(req.url == get().url);
}

TEST_CASE("send_with_retry retries a rate-limited 403", "[retry]") {
    FakeHttp http;
    http.respond(403, R"({"error":{"errors":[{"reason":"rateLimitExceeded"}]}})");
    http.respond(200);
    Recorder rec;
    CHECK(send_with_retry(http, get(), RetryPolicy{}, rec.hooks()).status == 200);
    CHECK(http.requests.size() == 2);
}

TEST_CASE("send_with_retry returns a non-retryable error at once", "[retry]") {
    for (long status : {400L, 401L, 403L, 404L, 409L}) {
        INFO(status);
        FakeHttp http;
        http.respond(status, "nope");
        Recorder rec;
        auto r = send_with_retry(http, get(), RetryPolicy{}, rec.hooks());
        CHECK(r.status == status);
        CHECK(r.body == "nope");
        CHECK(http.requests.size() == 1);
        CHECK(rec.sleeps.empty());
    }
}

TEST_CASE("send_with_retry rethrows a network error once attempts are used up", "[retry]") {
    FakeHttp http;
    http.fail("refused 1");
    http.fail("refused 2");
    http.fail("refused 3");
    RetryPolicy p;
    p.max_attempts = 3;
    Recorder rec;
    REQUIRE_THROWS_MATCHES(send_with_retry(http, get(), p, rec.hooks()), NetworkError,
                           Catch::Matchers::Message("refused 3"));
    CHECK(http.requests.size() == 3);
    CHECK(rec.sleeps.size() == 2);
}

TEST_CASE("send_with_retry recovers after a network error", "[retry]") {
    FakeHttp http;
    http.fail();
    http.respond(200);
    Recorder rec;
    CHECK(send_with_retry(http, get(), RetryPolicy{}, rec.hooks()).status == 200);
    CHECK(http.requests.size() == 2);
    CHECK(rec.sleeps == std::vector<Millis>{Millis(250)});
}

TEST_CASE("send_with_retry returns the last retryable response after max attempts", "[retry]") {
    FakeHttp http;
    http.respond(503, "first");
    http.respond(502, "second");
    http.respond(503, "last");
    RetryPolicy p;
    p.max_attempts = 3;
    Recorder rec;
    auto r = send_with_retry(http, get(), p, rec.hooks());
    CHECK(r.status == 503);
    CHECK(r.body == "last");
    CHECK(http.requests.size() == 3);
    CHECK(rec.sleeps.size() == 2);
}

TEST_CASE("send_with_retry gives up at once when Retry-After is too long", "[retry]") {
    FakeHttp http;
    http.respond(429, "later", {{"Retry-After", "3600"}});
    Recorder rec;
    auto r = send_with_retry(http, get(), RetryPolicy{}, rec.hooks());
    CHECK(r.status == 429);
    CHECK(http.requests.size() == 1);
    CHECK(rec.sleeps.empty());
}
