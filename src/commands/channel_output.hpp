// How register-webhook, renew and disconnect report channels: one line per
// channel, or JSON objects, and the exit status they add up to.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <vector>

#include "webhook/channels.hpp"

namespace calsync {

nlohmann::json channel_report_json(const ChannelReport& r);
void print_channel_report(std::ostream& out, const ChannelReport& r);

}  // namespace calsync
