#include "http/retry.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <thread>

namespace calsync {

bool is_retryable_status(long status, const std::string& body) {
    switch (status) {
        case 429: case 500: case 502: case 503: case 504: case 509: return true;
        case 403:
            return body.find("\"rateLimitExceeded\"") != std::string::npos ||
                   body.find("\"userRateLimitExceeded\"") != std::string::npos ||
                   body.find("\"quotaExceeded\"") != std::string::npos;
        default: return false;
    }
}

std::optional<Millis> parse_retry_after(const std::string& value, int64_t now_unix) {
    std::string v = value;
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t\r\n") + 1);
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
        if (v.size() > 9) return std::nullopt;
        return Millis(std::stoll(v) * 1000);
    }
    time_t when = curl_getdate(v.c_str(), nullptr);  // RFC 1123, RFC 850 and asctime forms
    if (when < 0) return std::nullopt;
    return Millis(std::max<int64_t>(0, int64_t(when) - now_unix) * 1000);
}

std::optional<Millis> retry_delay(const RetryPolicy& policy, int attempt, std::optional<Millis> retry_after,
                                  double jitter) {
    if (attempt >= policy.max_attempts) return std::nullopt;
    if (retry_after) {
        if (*retry_after > policy.max_retry_after) return std::nullopt;
        return *retry_after;
    }
    // Equal jitter: half the exponential step fixed, half random, so waits grow
    // yet concurrent clients spread out.
    int64_t step = policy.base_delay.count();
    for (int i = 1; i < attempt && step < policy.max_delay.count(); ++i) step *= 2;
    step = std::min<int64_t>(step, policy.max_delay.count());
    jitter = std::clamp(jitter, 0.0, 1.0);
    return Millis(step / 2 + int64_t(double(step - step / 2) * jitter));
}

HttpResponse send_with_retry(HttpClient& client, const HttpRequest& request, const RetryPolicy& policy,
                             const RetryHooks& hooks) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    auto sleep = hooks.sleep ? hooks.sleep : [](Millis d) { std::this_thread::sleep_for(d); };
    auto jitter = hooks.jitter ? hooks.jitter : [] { return std::uniform_real_distribution<double>(0, 1)(rng); };
    auto now = hooks.now ? hooks.now : [] { return int64_t(std::time(nullptr)); };

    for (int attempt = 1;; ++attempt) {
        std::optional<Millis> retry_after;
        std::string reason;
        try {
            HttpResponse response = client.send(request);
            if (!is_retryable_status(response.status, response.body)) return response;
            if (auto ra = response.header("Retry-After")) retry_after = parse_retry_after(*ra, now());
            reason = "HTTP " + std::to_string(response.status);
            auto delay = retry_delay(policy, attempt, retry_after, jitter());
            if (!delay) return response;  // out of attempts: the caller sees the last answer
            spdlog::warn("{} {}: {}, retrying in {} ms (attempt {}/{})", request.method, redact_url(request.url),
                         reason, delay->count(), attempt + 1, policy.max_attempts);
            sleep(*delay);
        } catch (const NetworkError& e) {
            auto delay = retry_delay(policy, attempt, std::nullopt, jitter());
            if (!delay) throw;
            spdlog::warn("{}, retrying in {} ms (attempt {}/{})", e.what(), delay->count(), attempt + 1,
                         policy.max_attempts);  // the message names the request (redacted)
            sleep(*delay);
        }
    }
}

}  // namespace calsync
