#include "db/fast_statement.hpp"

#include <SQLiteCpp/Exception.h>

namespace calsync {

FastStatement::FastStatement(SQLite::Database& db, const std::string& sql) : db_(db.getHandle()) {
    check(sqlite3_prepare_v3(db_, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr));
}

FastStatement::~FastStatement() { sqlite3_finalize(stmt_); }

void FastStatement::check(int rc) {
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
}

void FastStatement::text(int index, std::string_view value) {
    // A non-null pointer even for "", so an empty string stays a string.
    check(sqlite3_bind_text(stmt_, index, value.data() ? value.data() : "", int(value.size()), SQLITE_STATIC));
}

void FastStatement::text_or_null(int index, std::string_view value) {
    if (value.empty()) null(index);
    else text(index, value);
}

int FastStatement::index(const char* name) const {
    int i = sqlite3_bind_parameter_index(stmt_, name);
    if (i == 0) throw SQLite::Exception(std::string("no SQL parameter ") + name);
    return i;
}

void FastStatement::integer(int index, int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }

void FastStatement::null(int index) { check(sqlite3_bind_null(stmt_, index)); }

int FastStatement::exec() {
    int rc;
    while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) throw SQLite::Exception(db_, rc);
    return sqlite3_changes(db_);
}

}  // namespace calsync
