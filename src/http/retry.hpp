// When to retry an HTTP request and how long to wait (pure; unit-tested).
// Exponential backoff with jitter on 429, 5xx and network errors; Retry-After
// (delta-seconds or HTTP-date) is honoured; attempts are bounded.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "http/http.hpp"

namespace calsync {

using Millis = std::chrono::milliseconds;

struct RetryPolicy {
    int max_attempts = 5;          // including the first
    Millis base_delay{500};        // first backoff step
    Millis max_delay{30'000};      // cap of one backoff step
    Millis max_retry_after{300'000};  // a longer Retry-After is not waited for: give up
};

// Whether a response is worth retrying: 429, 500, 502, 503, 504, 509, and
// Google's 403 usageLimits reasons (rateLimitExceeded, userRateLimitExceeded, quotaExceeded).
bool is_retryable_status(long status, const std::string& body);

// Retry-After as a delay from `now_unix`; nullopt when absent or unparseable.
std::optional<Millis> parse_retry_after(const std::string& value, int64_t now_unix);

// The delay before attempt `attempt + 1`, given that attempt number `attempt`
// (1-based) failed; nullopt means stop retrying. `jitter` is uniform in [0, 1).
// With a Retry-After the wait is exactly that long (never shorter).
std::optional<Millis> retry_delay(const RetryPolicy& policy, int attempt, std::optional<Millis> retry_after,
                                  double jitter);

// Sends with retries. `sleep` is the seam for tests; the default sleeps for real.
struct RetryHooks {
    std::function<void(Millis)> sleep;
    std::function<double()> jitter;
    std::function<int64_t()> now;
};
HttpResponse send_with_retry(HttpClient& client, const HttpRequest& request, const RetryPolicy& policy,
                             const RetryHooks& hooks = {});

}  // namespace calsync
