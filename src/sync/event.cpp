#include "sync/event.hpp"

#include "util/time.hpp"

namespace calsync {
namespace {

std::optional<NormalTime> from_date(std::string_view date) {
    if (date.size() < 10) return std::nullopt;
    auto ts = parse_date(date.substr(0, 10));
    if (!ts) return std::nullopt;
    return NormalTime{std::string(date.substr(0, 10)), *ts, true};
}

}  // namespace

std::optional<NormalTime> normalize_google_time(std::string_view date, std::string_view date_time) {
    if (!date_time.empty()) {
        auto ts = parse_rfc3339(date_time);
        if (!ts) return std::nullopt;
        return NormalTime{format_rfc3339(*ts), *ts, false};
    }
    if (!date.empty()) return from_date(date);
    return std::nullopt;
}

std::optional<NormalTime> normalize_graph_time(std::string_view date_time, bool all_day) {
    if (date_time.empty()) return std::nullopt;
    if (all_day) return from_date(date_time);
    auto ts = parse_rfc3339(date_time);  // no offset: UTC, as requested
    if (!ts) return std::nullopt;
    return NormalTime{format_rfc3339(*ts), *ts, false};
}

}  // namespace calsync
