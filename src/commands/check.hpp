#pragma once

#include <vector>

#include "cli/context.hpp"

namespace calsync {

int run_check(const std::vector<int64_t>& ids, Context& ctx);

}  // namespace calsync
