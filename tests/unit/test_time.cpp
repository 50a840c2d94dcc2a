// util/time.hpp: durations and RFC 3339 timestamps.
#include <catch2/catch.hpp>

#include <ctime>

#include "util/time.hpp"

using namespace calsync;

TEST_CASE("parse_duration reads units and compounds", "[time]") {
    CHECK(parse_duration("90s") == Seconds(90));
    CHECK(parse_duration("15m") == Seconds(900));
    CHECK(parse_duration("24h") == Seconds(86400));
    CHECK(parse_duration("7d") == Seconds(7 * 86400));
    CHECK(parse_duration("1h30m") == Seconds(5400));
    CHECK(parse_duration("1d2h3m4s") == Seconds(86400 + 7200 + 180 + 4));
    CHECK(parse_duration("45") == Seconds(45));
    CHECK(parse_duration("0") == Seconds(0));
    CHECK(parse_duration("0s") == Seconds(0));
}

TEST_CASE("parse_duration refuses malformed text", "[time]") {
    for (const char* bad : {"", "h", "1x", "1h30", "-5", "-5m", "+5", " 5", "5 ", "1.5h", "1hh", "m30",
                            "999999999s"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse_duration(bad));
    }
}

TEST_CASE("parse_duration treats a trailing bare number after a zero unit like after any unit",
          "[time]") {
    // "1h30" is refused as ambiguous; "0h30" is just as ambiguous but the
    // check in util/time.cpp looks at the running total, which is still 0.
    CHECK_FALSE(parse_duration("0h30"));
    CHECK_FALSE(parse_duration("0m5"));
}

TEST_CASE("format_duration picks the largest exact unit", "[time]") {
    CHECK(format_duration(Seconds(0)) == "0s");
    CHECK(format_duration(Seconds(90)) == "90s");
    CHECK(format_duration(Seconds(900)) == "15m");
    CHECK(format_duration(Seconds(5400)) == "90m");
    CHECK(format_duration(Seconds(3600)) == "1h");
    CHECK(format_duration(Seconds(86400)) == "1d");
    CHECK(format_duration(Seconds(7 * 86400)) == "7d");
    CHECK(format_duration(Seconds(86401)) == "86401s");
    for (int64_t s : {1, 59, 60, 61, 3599, 3600, 3660, 86400, 90000, 604800}) {
        INFO(s);
        CHECK(parse_duration(format_duration(Seconds(s))) == Seconds(s));
    }
}

TEST_CASE("format_rfc3339 prints UTC with a Z", "[time]") {
    CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
    CHECK(format_rfc3339(1795428000) == "2026-11-23T10:00:00Z");
    CHECK(format_rfc3339(1709208000) == "2024-02-29T12:00:00Z");
    CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59Z");
    CHECK(format_rfc3339(-62167219200) == "0000-01-01T00:00:00Z");   // first instant formatted by hand
    CHECK(format_rfc3339(253402300799) == "9999-12-31T23:59:59Z");   // last one
    CHECK(format_rfc3339(253402300800) == "10000-01-01T00:00:00Z");  // beyond: the general path
}

TEST_CASE("parse_rfc3339 handles Z, offsets and fractions", "[time]") {
    CHECK(parse_rfc3339("2026-11-23T10:00:00Z") == 1795428000);
    CHECK(parse_rfc3339("2026-11-23T10:00:00z") == 1795428000);
    CHECK(parse_rfc3339("2026-11-23T11:00:00+01:00") == 1795428000);
    CHECK(parse_rfc3339("2026-11-23T04:30:00-05:30") == 1795428000);
    CHECK(parse_rfc3339("2026-11-23T10:00:00.123456Z") == 1795428000);
    CHECK(parse_rfc3339("2026-11-23T12:00:00.5+02:00") == 1795428000);
    CHECK(parse_rfc3339("2024-02-29T12:00:00Z") == 1709208000);
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
    for (int64_t t : {int64_t(0), int64_t(951782400), int64_t(1795428000), int64_t(4102444799)}) {
        INFO(t);
        CHECK(parse_rfc3339(format_rfc3339(t)) == t);
    }
}

TEST_CASE("parse_rfc3339 rejects garbage", "[time]") {
    for (const char* bad : {"", "garbage", "2026-11-23", "2026-11-23T10:00", "2026-13-01T00:00:00Z",
                            "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-23T24:00:00Z",
                            "2026-11-23T10:60:00Z", "2026-11-23T10:00:00Zjunk", "2026-11-23T10:00:00+0100",
                            "2026-11-23T10:00:00+01", "2026-11-23T10:00:00 UTC", "2026-11-23T10:00:00.Zx"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse_rfc3339(bad));
    }
}

TEST_CASE("parse_rfc3339 rejects non-digit offsets", "[time]") {
    // util/time.cpp computes the offset from tail[1..5] without checking they are digits.
    CHECK_FALSE(parse_rfc3339("2026-11-23T10:00:00+ab:cd"));
    CHECK_FALSE(parse_rfc3339("2026-11-23T10:00:00+1x:00"));
}

TEST_CASE("parse_rfc3339 rejects days that do not exist in the month", "[time]") {
    // Only d <= 31 is checked; timegm then silently rolls Feb 31 into March.
    CHECK_FALSE(parse_rfc3339("2026-02-31T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2025-02-29T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2026-04-31T00:00:00Z"));
}

TEST_CASE("format_rfc3339 and parse_rfc3339 agree with the C library for every day from 1900 to 2400", "[time]") {
    // gmtime_r/timegm are the reference; ours do calendar arithmetic alone.
    for (int64_t day = -25567; day <= 157054; day += 1) {
        int64_t t = day * 86400 + (day * 7919) % 86400;  // a different time of day each day
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char want[40];
        std::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (format_rfc3339(t) != want) {
            FAIL("format_rfc3339(" << t << ") = " << format_rfc3339(t) << ", want " << want);
        }
        if (parse_rfc3339(want) != t) FAIL("parse_rfc3339(" << want << ") != " << t);
        std::string date(want, 10);
        if (parse_date(date) != t - t % 86400 - (t % 86400 < 0 ? 86400 : 0))
            FAIL("parse_date(" << date << ")");
    }
    CHECK(parse_rfc3339("2026-11-23t10:00:00Z") == 1795428000);
    CHECK(parse_rfc3339("2026-11-23T10:00:00.0000000") == 1795428000);  // Graph, asked for UTC
    CHECK_FALSE(parse_rfc3339("2026-1-23T10:00:00Z"));
    CHECK_FALSE(parse_rfc3339(" 2026-11-23T10:00:00Z"));
    CHECK_FALSE(parse_rfc3339("+026-11-23T10:00:00Z"));
}

TEST_CASE("FixedClock stands still until advanced", "[time]") {
    FixedClock clock(1000);
    CHECK(clock.now() == 1000);
    clock.advance(61);
    CHECK(clock.now() == 1061);
    CHECK(SystemClock().now() > 1'700'000'000);
}

TEST_CASE("parse_date reads YYYY-MM-DD as 00:00 UTC", "[time]") {
    CHECK(parse_date("2026-11-23") == 1795392000);
    CHECK(parse_date("1970-01-01") == 0);
    CHECK(parse_date("2024-02-29") == 1709164800);
    CHECK(format_rfc3339(*parse_date("2026-11-23")) == "2026-11-23T00:00:00Z");
}

TEST_CASE("parse_date rejects anything but an existing calendar day", "[time]") {
    for (const char* bad : {"", "2026-11-2", "2026-1-23", "26-11-23", "2026/11/23", "2026-11-23T00:00:00Z",
                            "2026-11-23 ", " 2026-11-23", "2026-13-01", "2026-02-30", "2025-02-29", "+026-11-23",
                            "2026-+1-23", "2026-11-+3", "abcd-ef-gh"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse_date(bad));
    }
}
