#include "db/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

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

// Before the first connection: process-wide SQLite settings (once), and the
// file itself. No global memory statistics: they take a global mutex on every
// allocation (~5% of a full sync). SQLITE_MISUSE if SQLite was already
// initialized: harmless.
std::string prepare(const std::filesystem::path& path) {
    static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    static_cast<void>(configured);
    ensure_file(path);
    return path.string();
}

}  // namespace

int latest_schema_version() { return migrations().back().version; }

Database::Database(const std::filesystem::path& path)
    // NOMUTEX: a connection belongs to one thread (each poll worker opens its
    // own), so SQLite's per-call connection mutex is pure overhead.
    : path_(path),
      db_(prepare(path),
          SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs) {
    // Takes effect only while the file is still empty (a new database), so it
    // comes before the first write, which journal_mode = WAL is. 32 KiB pages
    // cut the WAL frames (one write each) and the page splits for ~1.5 KB
    // event rows eight-fold: a full sync runs ~30% faster than with the 4 KiB
    // default, while a small commit (a queued notification, ~3 pages) still
    // writes only ~100 KB. Existing databases keep their page size.
    db_.exec("PRAGMA page_size = 32768");
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = FULL");
    db_.exec("PRAGMA foreign_keys = ON");
}

std::unique_ptr<Database> Database::open(const std::filesystem::path& path) {
    std::unique_ptr<Database> db(new Database(path));
    db->migrate();
    return db;
}

Database::UnsyncedCommits::UnsyncedCommits(Database& db) : db_(db) { db_.db_.exec("PRAGMA synchronous = NORMAL"); }

Database::UnsyncedCommits::~UnsyncedCommits() {
    try {
        db_.db_.exec("PRAGMA synchronous = FULL");
    } catch (...) {
        // exec of a PRAGMA that needs no lock does not fail in practice
    }
}

void Database::sync_wal() {
    // SQLite's own handle of the WAL (no second descriptor: closing one would
    // drop this process's locks on the file).
    sqlite3_file* wal = nullptr;
    if (sqlite3_file_control(db_.getHandle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK || !wal ||
        !wal->pMethods)
        return;  // no WAL open: everything read came from the database file, synced by its checkpoint
    int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    if (rc != SQLITE_OK) throw SQLite::Exception("cannot sync the write-ahead log of " + path_.string(), rc);
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
        if (*m.sql) db_.exec(m.sql);
        if (m.code) m.code(db_);
        db_.exec("PRAGMA user_version = " + std::to_string(m.version));
    }
    tx.commit();
}

}  // namespace calsync
