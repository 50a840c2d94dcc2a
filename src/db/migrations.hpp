// Numbered schema migrations. Append a new entry for every change; never edit
// one that has shipped.
#pragma once

#include <vector>

namespace calsync {

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace calsync
