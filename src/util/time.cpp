#include "util/time.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

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

std::string format_rfc3339(int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<int64_t> parse_rfc3339(std::string_view text) {
    int y, mo, d, h = 0, mi = 0, s = 0;
    char rest[64] = {0};
    std::string str(text.substr(0, 60));
    int n = std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%63s", &y, &mo, &d, &h, &mi, &s, rest);
    if (n < 6) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    std::string_view tail(rest);
    if (!tail.empty() && tail[0] == '.') {
        size_t k = 1;
        while (k < tail.size() && std::isdigit(static_cast<unsigned char>(tail[k]))) ++k;
        tail.remove_prefix(k);
    }
    int64_t offset = 0;
    if (tail == "Z" || tail == "z" || tail.empty()) {
        offset = 0;
    } else if ((tail[0] == '+' || tail[0] == '-') && tail.size() == 6 && tail[3] == ':' &&
               std::isdigit(static_cast<unsigned char>(tail[1])) && std::isdigit(static_cast<unsigned char>(tail[2])) &&
               std::isdigit(static_cast<unsigned char>(tail[4])) && std::isdigit(static_cast<unsigned char>(tail[5]))) {
        int oh = (tail[1] - '0') * 10 + (tail[2] - '0');
        int om = (tail[4] - '0') * 10 + (tail[5] - '0');
        offset = (oh * 3600 + om * 60) * (tail[0] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    time_t t = timegm(&tm);
    std::tm check{};
    gmtime_r(&t, &check);
    if (check.tm_mday != d || check.tm_mon != mo - 1) return std::nullopt;  // 2026-02-31 and the like
    return static_cast<int64_t>(t) - offset;
}

std::optional<int64_t> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    for (size_t k : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!std::isdigit(static_cast<unsigned char>(text[k]))) return std::nullopt;
    return parse_rfc3339(std::string(text) + "T00:00:00Z");
}

int64_t SystemClock::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace calsync
