#include "commands/channel_output.hpp"

#include <fmt/format.h>

#include "util/time.hpp"

namespace calsync {

nlohmann::json channel_report_json(const ChannelReport& r) {
    auto or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
    return {{"integration", r.integration_id},
            {"calendar", or_null(r.calendar)},
            {"action", r.action},
            {"status", r.ok ? "ok" : "failed"},
            {"channel_id", or_null(r.channel_id)},
            {"expires_at", r.expires_at ? nlohmann::json(format_rfc3339(*r.expires_at)) : nlohmann::json(nullptr)},
            {"error", or_null(r.error)}};
}

void print_channel_report(std::ostream& out, const ChannelReport& r) {
    std::string where = r.calendar.empty() ? "" : " calendar " + r.calendar;
    if (!r.ok) {
        out << fmt::format("integration {}{}: {} FAILED: {}\n", r.integration_id, where, r.action, r.error);
        return;
    }
    out << fmt::format("integration {}{}: {}{}{}\n", r.integration_id, where, r.action,
                       r.channel_id.empty() ? "" : " channel " + r.channel_id,
                       r.expires_at ? ", expires " + format_rfc3339(*r.expires_at) : "");
}

}  // namespace calsync
