#include "recurrence.hpp"

#include "json_writer.hpp"

#include <algorithm>
#include <limits>

namespace emu {
namespace {

constexpr std::size_t kMaxGenerated = 200000;  // guards endless rules
constexpr const char* kDayNames[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
constexpr const char* kGraphDays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= text.size()) {
        size_t end = text.find(sep, i);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(i, end - i));
        i = end + 1;
    }
    return out;
}

std::optional<UnixSeconds> parse_until(const std::string& v) {
    if (v.size() == 8) {
        return parse_day(v.substr(0, 4) + "-" + v.substr(4, 2) + "-" + v.substr(6, 2));
    }
    if (v.size() == 16 && v[8] == 'T' && v[15] == 'Z') {
        return parse_rfc3339_strict(v.substr(0, 4) + "-" + v.substr(4, 2) + "-" + v.substr(6, 2) + "T" +
                                    v.substr(9, 2) + ":" + v.substr(11, 2) + ":" + v.substr(13, 2) + "Z");
    }
    return std::nullopt;
}

bool parse_positive(const std::string& v, int& out) {
    if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoi(v);
    return out > 0;
}

}  // namespace

std::optional<RecurrenceRule> parse_recurrence(const std::vector<std::string>& lines, std::string& error) {
    std::optional<RecurrenceRule> found;
    for (const auto& line : lines) {
        if (line.rfind("RRULE:", 0) != 0) {
            error = "unsupported recurrence line (only RRULE): " + line;
            return std::nullopt;
        }
        if (found) {
            error = "only one RRULE is supported";
            return std::nullopt;
        }
        RecurrenceRule rule;
        bool have_freq = false;
        for (const auto& part : split(line.substr(6), ';')) {
            size_t eq = part.find('=');
            std::string key = part.substr(0, eq), value = eq == std::string::npos ? "" : part.substr(eq + 1);
            if (key == "FREQ") {
                have_freq = true;
                if (value == "DAILY") rule.freq = RecurrenceRule::Freq::daily;
                else if (value == "WEEKLY") rule.freq = RecurrenceRule::Freq::weekly;
                else if (value == "MONTHLY") rule.freq = RecurrenceRule::Freq::monthly;
                else return error = "unsupported FREQ " + value, std::nullopt;
            } else if (key == "INTERVAL") {
                if (!parse_positive(value, rule.interval)) return error = "bad INTERVAL", std::nullopt;
            } else if (key == "COUNT") {
                if (!parse_positive(value, rule.count)) return error = "bad COUNT", std::nullopt;
            } else if (key == "UNTIL") {
                rule.until = parse_until(value);
                if (!rule.until) return error = "bad UNTIL " + value, std::nullopt;
            } else if (key == "BYDAY") {
                for (const auto& day : split(value, ',')) {
                    auto it = std::find(std::begin(kDayNames), std::end(kDayNames), day);
                    if (it == std::end(kDayNames)) return error = "unsupported BYDAY " + day, std::nullopt;
                    rule.by_day.push_back(int(it - std::begin(kDayNames)));
                }
                std::sort(rule.by_day.begin(), rule.by_day.end());
                rule.by_day.erase(std::unique(rule.by_day.begin(), rule.by_day.end()), rule.by_day.end());
            } else if (key != "WKST") {
                return error = "unsupported RRULE part " + key, std::nullopt;
            }
        }
        if (!have_freq) return error = "RRULE without FREQ", std::nullopt;
        if (rule.count && rule.until) return error = "COUNT and UNTIL together", std::nullopt;
        if (!rule.by_day.empty() && rule.freq != RecurrenceRule::Freq::weekly)
            return error = "BYDAY is supported with FREQ=WEEKLY only", std::nullopt;
        found = rule;
    }
    if (!found) error = "no RRULE";
    return found;
}

void expand_occurrences(const RecurrenceRule& rule, const SeriesTiming& t, UnixSeconds from, UnixSeconds to,
                        std::size_t cap, const std::function<bool(UnixSeconds)>& fn) {
    UnixSeconds local0 = t.all_day ? t.start : t.start + utc_offset(t.zone, t.start);
    std::int64_t day0 = day_of(local0);
    UnixSeconds tod = local0 - day0 * kDay;
    std::size_t generated = 0, emitted = 0;
    // Returns false to stop.
    auto visit = [&](std::int64_t day) {
        UnixSeconds local = day * kDay + tod;
        UnixSeconds occurrence = t.all_day ? local : local_to_utc(t.zone, local);
        ++generated;
        if (rule.until && occurrence > *rule.until) return false;
        if (occurrence >= to) return false;
        if (occurrence + t.duration > from) {
            if (emitted == cap) return false;
            ++emitted;
            if (!fn(occurrence)) return false;
        }
        if (rule.count && generated >= std::size_t(rule.count)) return false;
        return generated < kMaxGenerated;
    };
    using Freq = RecurrenceRule::Freq;
    if (rule.freq == Freq::monthly) {
        CivilDate first = civil_from_days(day0);
        for (std::int64_t k = 0;; ++k) {
            std::int64_t months = first.month - 1 + k * rule.interval;
            int year = int(first.year + months / 12), month = int(months % 12 + 1);
            if (first.day > days_in_month(year, month)) {  // RFC 5545: such months are skipped
                if (k > std::int64_t(kMaxGenerated)) return;
                continue;
            }
            if (!visit(days_from_civil(year, month, first.day))) return;
        }
    }
    if (rule.freq == Freq::weekly && !rule.by_day.empty()) {
        std::int64_t week0 = day0 - weekday_monday0(day0);
        for (std::int64_t w = 0;; ++w) {
            for (int d : rule.by_day) {
                std::int64_t day = week0 + 7 * w * rule.interval + d;
                if (day < day0) continue;
                if (!visit(day)) return;
            }
        }
    }
    std::int64_t period = rule.freq == Freq::daily ? rule.interval : 7 * rule.interval;
    // Jump close to `from`; the counter still counts the skipped occurrences.
    std::int64_t k0 = std::max<std::int64_t>(0, floor_div(day_of(from - t.duration) - day0, period) - 2);
    if (rule.count && k0 >= rule.count) return;
    generated = std::size_t(k0);
    for (std::int64_t k = k0;; ++k) {
        if (!visit(day0 + k * period)) return;
    }
}

std::optional<UnixSeconds> series_last_end(const RecurrenceRule& rule, const SeriesTiming& timing) {
    if (!rule.count && !rule.until) return std::nullopt;
    std::optional<UnixSeconds> last;
    expand_occurrences(rule, timing, std::numeric_limits<UnixSeconds>::min() / 2,
                       std::numeric_limits<UnixSeconds>::max() / 2, kMaxGenerated, [&](UnixSeconds s) {
                           last = s + timing.duration;
                           return true;
                       });
    return last;
}

bool is_occurrence(const RecurrenceRule& rule, const SeriesTiming& timing, UnixSeconds original_start) {
    bool found = false;
    expand_occurrences(rule, timing, original_start - timing.duration + 1, original_start + 1, 4, [&](UnixSeconds s) {
        if (s == original_start) found = true;
        return !found;
    });
    return found;
}

std::string graph_pattern_json(const RecurrenceRule& rule, const SeriesTiming& t) {
    UnixSeconds local0 = t.all_day ? t.start : t.start + utc_offset(t.zone, t.start);
    JsonWriter w;
    w.begin_object().key("pattern").begin_object();
    const char* type = rule.freq == RecurrenceRule::Freq::daily    ? "daily"
                       : rule.freq == RecurrenceRule::Freq::weekly ? "weekly"
                                                                   : "absoluteMonthly";
    w.key("type").str(type).key("interval").num(rule.interval);
    w.key("month").num(0).key("dayOfMonth").num(rule.freq == RecurrenceRule::Freq::monthly
                                                     ? civil_from_days(day_of(local0)).day
                                                     : 0);
    w.key("daysOfWeek").begin_array();
    if (rule.freq == RecurrenceRule::Freq::weekly) {
        if (rule.by_day.empty()) w.str(kGraphDays[weekday_monday0(day_of(local0))]);
        for (int d : rule.by_day) w.str(kGraphDays[d]);
    }
    w.end_array().key("firstDayOfWeek").str("sunday").key("index").str("first").end_object();
    w.key("range").begin_object();
    w.key("type").str(rule.count ? "numbered" : rule.until ? "endDate" : "noEnd");
    w.key("startDate").str(format_date(local0));
    w.key("endDate").str(rule.until ? format_date(*rule.until + (t.all_day ? 0 : utc_offset(t.zone, *rule.until)))
                                    : "0001-01-01");
    w.key("recurrenceTimeZone").str(t.all_day ? "UTC" : windows_zone(t.zone));
    w.key("numberOfOccurrences").num(rule.count);
    w.end_object().end_object();
    return w.take();
}

}  // namespace emu
