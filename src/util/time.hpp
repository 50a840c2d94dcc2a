// Durations ("90s", "15m", "24h", "7d") and RFC 3339 times. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace calsync {

using Seconds = std::chrono::seconds;

// "90s", "15m", "24h", "7d", "1h30m"; a bare number means seconds. nullopt when malformed.
std::optional<Seconds> parse_duration(std::string_view text);
std::string format_duration(Seconds d);

// Unix seconds → "2026-11-23T10:00:00Z".
std::string format_rfc3339(int64_t unix_seconds);
// RFC 3339 / ISO 8601 with Z or ±hh:mm offset and optional fraction → Unix seconds.
std::optional<int64_t> parse_rfc3339(std::string_view text);
// "YYYY-MM-DD" (exactly) → Unix seconds at 00:00 UTC of that day.
std::optional<int64_t> parse_date(std::string_view text);

// Wall-clock source, swappable in tests.
class Clock {
public:
    virtual ~Clock() = default;
    virtual int64_t now() const = 0;  // Unix seconds
};

class SystemClock : public Clock {
public:
    int64_t now() const override;
};

class FixedClock : public Clock {
public:
    explicit FixedClock(int64_t t) : t_(t) {}
    int64_t now() const override { return t_; }
    void advance(int64_t s) { t_ += s; }

private:
    int64_t t_;
};

}  // namespace calsync
