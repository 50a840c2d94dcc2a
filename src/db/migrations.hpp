// Numbered schema migrations. Append a new entry for every change; never edit
// one that has shipped.
#pragma once

#include <SQLiteCpp/Database.h>

#include <vector>

namespace calsync {

struct Migration {
    int version;
    const char* description;
    const char* sql;                              // run first (may be empty)
    void (*code)(SQLite::Database&) = nullptr;   // then this, in the same transaction
};

const std::vector<Migration>& migrations();

}  // namespace calsync
