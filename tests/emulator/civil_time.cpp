#include "civil_time.hpp"

#include "util/time.hpp"

#include <cstdio>

namespace emu {
namespace {

enum class DstRule { none, eu, us };

struct Zone {
    const char* iana;
    const char* windows;
    int standard_offset;
    DstRule dst;
};

constexpr Zone kZones[] = {
    {"UTC", "UTC", 0, DstRule::none},
    {"Europe/Berlin", "W. Europe Standard Time", 3600, DstRule::eu},
    {"Europe/London", "GMT Standard Time", 0, DstRule::eu},
    {"Europe/Helsinki", "FLE Standard Time", 7200, DstRule::eu},
    {"America/New_York", "Eastern Standard Time", -18000, DstRule::us},
    {"America/Chicago", "Central Standard Time", -21600, DstRule::us},
    {"America/Los_Angeles", "Pacific Standard Time", -28800, DstRule::us},
    {"America/Phoenix", "US Mountain Standard Time", -25200, DstRule::none},
    {"America/Sao_Paulo", "E. South America Standard Time", -10800, DstRule::none},
    {"Asia/Tokyo", "Tokyo Standard Time", 32400, DstRule::none},
    {"Asia/Kolkata", "India Standard Time", 19800, DstRule::none},
    {"Asia/Kathmandu", "Nepal Standard Time", 20700, DstRule::none},
    {"Australia/Brisbane", "E. Australia Standard Time", 36000, DstRule::none},
};

const Zone* find_zone(std::string_view name) {
    if (name == "Etc/UTC" || name == "GMT" || name == "Etc/GMT") name = "UTC";
    for (const auto& zone : kZones) {
        if (name == zone.iana || name == zone.windows) return &zone;
    }
    return nullptr;
}

std::int64_t last_sunday(int year, int month) {
    std::int64_t last = days_from_civil(year, month, days_in_month(year, month));
    return last - (weekday_monday0(last) + 1) % 7;
}

std::int64_t nth_sunday(int year, int month, int n) {
    std::int64_t first = days_from_civil(year, month, 1);
    return first + (6 - weekday_monday0(first) + 7) % 7 + 7 * (n - 1);
}

bool in_dst(const Zone& zone, UnixSeconds utc) {
    int year = civil_from_days(day_of(utc + zone.standard_offset)).year;
    UnixSeconds start = 0, end = 0;
    if (zone.dst == DstRule::eu) {  // 01:00 UTC, last Sundays of March and October
        start = last_sunday(year, 3) * kDay + 3600;
        end = last_sunday(year, 10) * kDay + 3600;
    } else if (zone.dst == DstRule::us) {  // 02:00 local, second Sunday of March to first Sunday of November
        start = nth_sunday(year, 3, 2) * kDay + 7200 - zone.standard_offset;
        end = nth_sunday(year, 11, 1) * kDay + 7200 - (zone.standard_offset + 3600);
    } else {
        return false;
    }
    return utc >= start && utc < end;
}

std::string two(int v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

// "YYYY-MM-DDTHH:MM:SS" of `t` read as UTC.
std::string format_plain(UnixSeconds t) {
    CivilDate d = civil_from_days(day_of(t));
    std::int64_t s = t - day_of(t) * kDay;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day, int(s / 3600),
                  int(s / 60 % 60), int(s % 60));
    return buf;
}

}  // namespace

std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    std::int64_t yoe = y - era * 400;
    std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
    z += 719468;
    std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    std::int64_t doe = z - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153;
    int d = int(doy - (153 * mp + 2) / 5 + 1);
    int m = int(mp < 10 ? mp + 3 : mp - 9);
    return {int(yoe + era * 400 + (m <= 2)), m, d};
}

int weekday_monday0(std::int64_t days) { return int(((days + 3) % 7 + 7) % 7); }

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

std::string format_utc(UnixSeconds t) { return format_plain(t) + "Z"; }
std::string format_date(UnixSeconds t) { return format_plain(t).substr(0, 10); }

std::string format_basic(UnixSeconds t, bool date_only) {
    CivilDate d = civil_from_days(day_of(t));
    std::int64_t s = t - day_of(t) * kDay;
    char buf[40];
    if (date_only) {
        std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
    } else {
        std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", d.year, d.month, d.day, int(s / 3600),
                      int(s / 60 % 60), int(s % 60));
    }
    return buf;
}

std::string format_with_offset(UnixSeconds t, int offset) {
    std::string out = format_plain(t + offset);
    if (offset == 0) return out + "Z";
    int a = offset < 0 ? -offset : offset;
    return out + (offset < 0 ? "-" : "+") + two(a / 3600) + ":" + two(a / 60 % 60);
}

std::string format_graph_local(UnixSeconds local) { return format_plain(local) + ".0000000"; }

std::string format_millis(std::int64_t ms) {
    return format_plain(floor_div(ms, 1000)) + "." + std::to_string(1000 + (ms % 1000 + 1000) % 1000).substr(1) + "Z";
}

std::string format_millis7(std::int64_t ms) {
    return format_plain(floor_div(ms, 1000)) + "." + std::to_string(1000 + (ms % 1000 + 1000) % 1000).substr(1) +
           "0000Z";
}

std::optional<UnixSeconds> parse_rfc3339_strict(std::string_view text) {
    if (text.size() < 20 || text[10] != 'T') return std::nullopt;
    char last = text.back();
    bool zulu = last == 'Z' || last == 'z';
    bool offset = text.size() >= 25 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
                  text[text.size() - 3] == ':';
    if (!zulu && !offset) return std::nullopt;
    return calsync::parse_rfc3339(text);
}

std::optional<UnixSeconds> parse_iso_lenient(std::string_view text) {
    if (text.size() == 10) return parse_day(text);
    return calsync::parse_rfc3339(text);
}

std::optional<UnixSeconds> parse_day(std::string_view text) {
    if (text.size() != 10) return std::nullopt;
    return calsync::parse_date(text);
}

bool known_zone(std::string_view name) { return find_zone(name) != nullptr; }

std::string canonical_zone(std::string_view name) {
    const Zone* zone = find_zone(name);
    return zone ? zone->iana : "";
}

std::string windows_zone(std::string_view iana) {
    const Zone* zone = find_zone(iana);
    return zone ? zone->windows : "UTC";
}

int utc_offset(std::string_view name, UnixSeconds utc) {
    const Zone* zone = find_zone(name);
    if (!zone) return 0;
    return zone->standard_offset + (in_dst(*zone, utc) ? 3600 : 0);
}

UnixSeconds local_to_utc(std::string_view zone, UnixSeconds local) {
    const Zone* z = find_zone(zone);
    if (!z) return local;
    UnixSeconds guess = local - z->standard_offset;
    UnixSeconds utc = local - utc_offset(zone, guess);
    return local - utc_offset(zone, utc);
}

const std::vector<std::string>& sample_zones() {
    static const std::vector<std::string> zones = {"Europe/Berlin",   "UTC",          "America/New_York",
                                                   "Asia/Tokyo",      "Asia/Kolkata", "America/Los_Angeles",
                                                   "Europe/London",   "Asia/Kathmandu", "America/Sao_Paulo"};
    return zones;
}

}  // namespace emu
