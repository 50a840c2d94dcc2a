// RRULE subset the emulated calendars understand (FREQ=DAILY|WEEKLY|MONTHLY,
// INTERVAL, COUNT, UNTIL, BYDAY for weekly) and occurrence expansion. Series
// keep their wall-clock time in their zone across DST changes, as at Google
// and Outlook. Pure functions.
#pragma once

#include "civil_time.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace emu {

struct RecurrenceRule {
    enum class Freq { daily, weekly, monthly };
    Freq freq = Freq::weekly;
    int interval = 1;
    int count = 0;  // 0: no COUNT
    std::optional<UnixSeconds> until;
    std::vector<int> by_day;  // 0 = Monday … 6 = Sunday, sorted
};

// When and how long a series' first occurrence is; all-day series use 00:00 UTC of the date.
struct SeriesTiming {
    UnixSeconds start = 0;
    UnixSeconds duration = 0;
    bool all_day = false;
    std::string zone;
};

// Reads Google-style recurrence lines ("RRULE:FREQ=WEEKLY;COUNT=10"). Exactly
// one RRULE; EXDATE/RDATE lines and other parts are refused with a message in `error`.
std::optional<RecurrenceRule> parse_recurrence(const std::vector<std::string>& lines, std::string& error);

// Calls `fn(original_start)` for every occurrence overlapping [from, to)
// (start < to, start + duration > from), in order, at most `cap` times, until
// `fn` returns false.
void expand_occurrences(const RecurrenceRule& rule, const SeriesTiming& timing, UnixSeconds from, UnixSeconds to,
                        std::size_t cap, const std::function<bool(UnixSeconds)>& fn);

// The end of the last occurrence, or nullopt for an endless series.
std::optional<UnixSeconds> series_last_end(const RecurrenceRule& rule, const SeriesTiming& timing);

bool is_occurrence(const RecurrenceRule& rule, const SeriesTiming& timing, UnixSeconds original_start);

// Graph's patternedRecurrence object for a series master.
std::string graph_pattern_json(const RecurrenceRule& rule, const SeriesTiming& timing);

}  // namespace emu
