#include "util/time.hpp"

#include <cctype>
#include <cstdio>

namespace calsync {

std::optional<Seconds> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    int64_t total = 0;
    bool saw_unit = false;
    size_t i = 0;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
        int64_t n = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            n = n * 10 + (text[i] - '0');
            if (n > 100'000'000) return std::nullopt;
            ++i;
        }
        int64_t unit = 1;
        if (i < text.size()) {
            switch (text[i]) {
                case 's': unit = 1; break;
                case 'm': unit = 60; break;
                case 'h': unit = 3600; break;
                case 'd': unit = 86400; break;
                case 'w': unit = 7 * 86400; break;
                default: return std::nullopt;
            }
            ++i;
            saw_unit = true;
        } else if (saw_unit) {
            return std::nullopt;  // "1h30" is ambiguous
        }
        total += n * unit;
    }
    return Seconds(total);
}

std::string format_duration(Seconds d) {
    int64_t s = d.count();
    if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
    if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
// Hinnant's algorithms, public domain): no time zone database, no libc
// locking, exact for any year. The sync hot path runs these twice an event.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
    int64_t y;
    unsigned m, d;
};

Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool leap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned days_in_month(int64_t y, unsigned m) {
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

// `n` digits at text[at]; -1 unless they are all there and all digits.
int digits(std::string_view text, size_t at, size_t n) {
    if (at + n > text.size()) return -1;
    int v = 0;
    for (size_t k = at; k < at + n; ++k) {
        if (text[k] < '0' || text[k] > '9') return -1;
        v = v * 10 + (text[k] - '0');
    }
    return v;
}

}  // namespace

std::string format_rfc3339(int64_t unix_seconds) {
    int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
    int64_t secs = unix_seconds - days * 86400;
    Civil c = civil_from_days(days);
    if (c.y < 0 || c.y > 9999) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(c.y), c.m, c.d,
                      static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
        return buf;
    }
    // The sync hot path formats two times an event: by hand, not snprintf
    // (a tenth of the parsing thread's work).
    auto put2 = [](char* at, unsigned v) {
        at[0] = char('0' + v / 10);
        at[1] = char('0' + v % 10);
    };
    std::string out = "0000-00-00T00:00:00Z";
    put2(&out[0], unsigned(c.y / 100));
    put2(&out[2], unsigned(c.y % 100));
    put2(&out[5], c.m);
    put2(&out[8], c.d);
    put2(&out[11], unsigned(secs / 3600));
    put2(&out[14], unsigned(secs / 60 % 60));
    put2(&out[17], unsigned(secs % 60));
    return out;
}

// YYYY-MM-DDTHH:MM:SS[.fraction][Z|z|+HH:MM|-HH:MM]; no zone is UTC (Graph,
// asked for UTC, sends none).
std::optional<int64_t> parse_rfc3339(std::string_view text) {
    int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
    int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
        text[16] != ':')
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || unsigned(d) > days_in_month(y, unsigned(mo)) || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    std::string_view tail = text.substr(19);
    if (!tail.empty() && tail[0] == '.') {
        size_t k = 1;
        while (k < tail.size() && tail[k] >= '0' && tail[k] <= '9') ++k;
        tail.remove_prefix(k);
    }
    int64_t offset = 0;
    if (tail == "Z" || tail == "z" || tail.empty()) {
        offset = 0;
    } else if ((tail[0] == '+' || tail[0] == '-') && tail.size() == 6 && tail[3] == ':') {
        int oh = digits(tail, 1, 2), om = digits(tail, 4, 2);
        if (oh < 0 || om < 0) return std::nullopt;
        offset = (oh * 3600 + om * 60) * (tail[0] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    return days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + s - offset;
}

std::optional<int64_t> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    for (size_t k : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!std::isdigit(static_cast<unsigned char>(text[k]))) return std::nullopt;
    int y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
    if (m < 1 || m > 12 || d < 1 || unsigned(d) > days_in_month(y, unsigned(m))) return std::nullopt;
    return days_from_civil(y, unsigned(m), unsigned(d)) * 86400;
}

int64_t SystemClock::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace calsync
