// The two providers calsync speaks to, and their names on the command line,
// in the database and in JSON output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace calsync {

enum class Provider { google, microsoft };

std::string_view to_string(Provider p);
std::optional<Provider> parse_provider(std::string_view name);

}  // namespace calsync
