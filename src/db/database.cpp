#include "db/database.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "db/migrations.hpp"
#include "errors.hpp"

namespace calsync {
namespace {

// Creates the file with mode 0600 (0660 in a setgid directory) before SQLite
// does, so the database (and the -wal/-shm files SQLite derives from it) never
// exist with a wider mode.
void ensure_file(const std::filesystem::path& path) {
    auto dir = path.parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
        throw ConfigError("database directory " + dir.string() + " does not exist");
    // Only when missing: closing any descriptor of an open database drops this
    // process's POSIX locks on it, which lets another process checkpoint and
    // remove the WAL under our other connections (lost commits).
    if (std::filesystem::exists(path)) return;
    // In a setgid directory (the shared-group setup, where the web server's
    // user writes the queue) the group gets read-write too: 0660.
    struct stat dir_st {};
    bool shared = ::stat(dir.empty() ? "." : dir.c_str(), &dir_st) == 0 && (dir_st.st_mode & S_ISGID);
    mode_t mode = shared ? 0660 : 0600;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0 && errno == EEXIST) return;  // another process created it just now
    if (fd < 0) throw ConfigError("cannot create database " + path.string() + ": " + std::strerror(errno));
    ::fchmod(fd, mode);  // whatever the umask
    ::close(fd);
}

}  // namespace

int latest_schema_version() { return migrations().back().version; }

Database::Database(const std::filesystem::path& path)
    : path_(path), db_((ensure_file(path), path.string()), SQLite::OPEN_READWRITE, kBusyTimeoutMs) {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = FULL");
    db_.exec("PRAGMA foreign_keys = ON");
}

std::unique_ptr<Database> Database::open(const std::filesystem::path& path) {
    std::unique_ptr<Database> db(new Database(path));
    db->migrate();
    return db;
}

int Database::schema_version() { return db_.execAndGet("PRAGMA user_version").getInt(); }

void Database::migrate() {
    if (schema_version() == latest_schema_version()) return;
    auto tx = write_transaction();
    int current = schema_version();  // re-read under the write lock: another process may have migrated
    if (current > latest_schema_version())
        throw ConfigError("database " + path_.string() + " has schema version " + std::to_string(current) +
                          ", newer than this calsync knows (" + std::to_string(latest_schema_version()) + ")");
    for (const auto& m : migrations()) {
        if (m.version <= current) continue;
        db_.exec(m.sql);
        db_.exec("PRAGMA user_version = " + std::to_string(m.version));
    }
    tx.commit();
}

}  // namespace calsync
