// A prepared statement for the sync hot path: binds text without copying
// (SQLiteCpp copies, or binds views as BLOBs) and is reused for every row of a
// page. Errors throw SQLite::Exception, like the rest of the store.
#pragma once

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace calsync {

class FastStatement {
public:
    FastStatement(SQLite::Database& db, const std::string& sql);
    ~FastStatement();
    FastStatement(const FastStatement&) = delete;
    FastStatement& operator=(const FastStatement&) = delete;

    // The view must stay valid until exec() returns.
    void text(int index, std::string_view value);
    // Empty is NULL.
    void text_or_null(int index, std::string_view value);
    void integer(int index, int64_t value);
    void null(int index);
    // The index of a named parameter (":name"); throws when the SQL has none.
    int index(const char* name) const;
    // Runs to completion, resets for reuse; returns the rows changed.
    int exec();

private:
    void check(int rc);
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace calsync
