// What is fsynced when: a sync round's pages commit without an fsync but the
// last, which stores the cursor; the change feed syncs the WAL before it hands
// anything out (store/change_log.hpp, DurableSnapshot). Observed through a VFS
// that forwards to SQLite's own and counts the syncs of each WAL file.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "store/calendars.hpp"
#include "store/change_log.hpp"
#include "support.hpp"
#include "sync/event_store.hpp"

using namespace calsync;
using calsync::test::TempDir;

namespace {

std::atomic<int> g_wal_syncs{0};
sqlite3_vfs* g_base = nullptr;

// A file of the base VFS followed by what it needs; only xSync is watched.
struct CountingFile {
    sqlite3_file base_view;  // pMethods: our methods
    bool wal;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

sqlite3_io_methods g_methods;

CountingFile* self(sqlite3_file* f) { return reinterpret_cast<CountingFile*>(f); }

int x_close(sqlite3_file* f) { return self(f)->real()->pMethods->xClose(self(f)->real()); }
int x_read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
    return self(f)->real()->pMethods->xRead(self(f)->real(), b, n, o);
}
int x_write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
    return self(f)->real()->pMethods->xWrite(self(f)->real(), b, n, o);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 n) { return self(f)->real()->pMethods->xTruncate(self(f)->real(), n); }
int x_sync(sqlite3_file* f, int flags) {
    if (self(f)->wal) ++g_wal_syncs;
    return self(f)->real()->pMethods->xSync(self(f)->real(), flags);
}
int x_size(sqlite3_file* f, sqlite3_int64* n) { return self(f)->real()->pMethods->xFileSize(self(f)->real(), n); }
int x_lock(sqlite3_file* f, int l) { return self(f)->real()->pMethods->xLock(self(f)->real(), l); }
int x_unlock(sqlite3_file* f, int l) { return self(f)->real()->pMethods->xUnlock(self(f)->real(), l); }
int x_check(sqlite3_file* f, int* r) { return self(f)->real()->pMethods->xCheckReservedLock(self(f)->real(), r); }
int x_fcntl(sqlite3_file* f, int op, void* a) { return self(f)->real()->pMethods->xFileControl(self(f)->real(), op, a); }
int x_sector(sqlite3_file* f) { return self(f)->real()->pMethods->xSectorSize(self(f)->real()); }
int x_caps(sqlite3_file* f) { return self(f)->real()->pMethods->xDeviceCharacteristics(self(f)->real()); }
int x_shm_map(sqlite3_file* f, int p, int s, int e, void volatile** m) {
    return self(f)->real()->pMethods->xShmMap(self(f)->real(), p, s, e, m);
}
int x_shm_lock(sqlite3_file* f, int o, int n, int fl) {
    return self(f)->real()->pMethods->xShmLock(self(f)->real(), o, n, fl);
}
void x_shm_barrier(sqlite3_file* f) { self(f)->real()->pMethods->xShmBarrier(self(f)->real()); }
int x_shm_unmap(sqlite3_file* f, int d) { return self(f)->real()->pMethods->xShmUnmap(self(f)->real(), d); }

int x_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    auto* c = self(f);
    c->wal = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = g_base->xOpen(g_base, name, c->real(), flags, out_flags);
    // SQLite calls xClose even when xOpen fails, unless pMethods is NULL.
    f->pMethods = c->real()->pMethods ? &g_methods : nullptr;
    return rc;
}

// Installs itself as the default VFS while alive.
class CountingVfs {
public:
    CountingVfs() {
        g_base = sqlite3_vfs_find(nullptr);
        vfs_ = *g_base;
        vfs_.zName = "calsync-counting";
        vfs_.szOsFile = int(sizeof(CountingFile)) + g_base->szOsFile;
        vfs_.xOpen = x_open;
        vfs_.pNext = nullptr;
        g_methods = {};
        g_methods.iVersion = 2;  // up to the shared-memory methods WAL mode needs
        g_methods.xClose = x_close;
        g_methods.xRead = x_read;
        g_methods.xWrite = x_write;
        g_methods.xTruncate = x_truncate;
        g_methods.xSync = x_sync;
        g_methods.xFileSize = x_size;
        g_methods.xLock = x_lock;
        g_methods.xUnlock = x_unlock;
        g_methods.xCheckReservedLock = x_check;
        g_methods.xFileControl = x_fcntl;
        g_methods.xSectorSize = x_sector;
        g_methods.xDeviceCharacteristics = x_caps;
        g_methods.xShmMap = x_shm_map;
        g_methods.xShmLock = x_shm_lock;
        g_methods.xShmBarrier = x_shm_barrier;
        g_methods.xShmUnmap = x_shm_unmap;
        REQUIRE(sqlite3_vfs_register(&vfs_, 1) == SQLITE_OK);
    }
    ~CountingVfs() {
        sqlite3_vfs_unregister(&vfs_);
        sqlite3_vfs_register(g_base, 1);
    }
    CountingVfs(const CountingVfs&) = delete;
    CountingVfs& operator=(const CountingVfs&) = delete;

private:
    sqlite3_vfs vfs_{};
};

std::string item(const std::string& id) {
    return R"({"id":")" + id +
           R"(","summary":"S","start":{"dateTime":"2026-11-24T10:00:00Z"},"end":{"dateTime":"2026-11-24T11:00:00Z"}})";
}

}  // namespace

TEST_CASE("a round's pages are fsynced with its last; the change feed syncs before it reads", "[db][durability]") {
    CountingVfs vfs;  // before any connection: every file of this test goes through it
    TempDir dir;
    {
        auto db = Database::open(dir / "calsync.db");
        db->sql().exec("INSERT INTO organizations VALUES ('acme', 0)");
        db->sql().exec("INSERT INTO integrations (id, org_id, provider, account_id, account_email, status, created_at, "
                       "updated_at) VALUES (7, 'acme', 'google', 'sub', 'a@example.com', 'connected', 0, 0)");
        CalendarStore(*db).save_discovered(7, {{"a@example.com", "Primary", "UTC", true}}, {}, 0);
        CalendarRef cal{CalendarStore(*db).list(7)[0].id, 7, "a@example.com"};
        REQUIRE(g_wal_syncs > 0);  // the counting VFS sees the WAL: ordinary commits are fsynced

        EventStore store(*db, cal);
        PageParser parser;
        int64_t gen = store.begin_full_sync(100);
        int before = g_wal_syncs;
        store.apply(parser.parse_google(R"({"items":[)" + item("a") + R"(],"nextPageToken":"p2"})"), gen, {}, 100);
        store.apply(parser.parse_google(R"({"items":[)" + item("b") + R"(],"nextPageToken":"p3"})"), gen, {}, 100);
        CHECK(g_wal_syncs == before);  // pages without the cursor: no fsync
        CHECK(db->sql().execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL again after each

        // A reader of the feed now: the two changes exist, not yet durable.
        auto reader = Database::open(dir / "calsync.db");
        int at_read = g_wal_syncs;
        {
            DurableSnapshot durable(*reader);
            CHECK(g_wal_syncs == at_read + 1);
            CHECK(reader->sql().execAndGet("SELECT count(*) FROM change_log").getInt() == 2);
        }

        // The command itself, in this process: `calsync changes` syncs the WAL
        // before it prints (one read of the feed, one sync).
        {
            std::ofstream(dir / "calsync.conf") << "db = \"" << (dir / "calsync.db").string() << "\"\n";
            std::string config = (dir / "calsync.conf").string();
            std::vector<std::string> args = {"calsync", "--config", config, "-q", "changes", "--limit", "1"};
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            char* envp[] = {nullptr};
            int at_command = g_wal_syncs;
            CHECK(run_main(int(args.size()), argv.data(), envp) == 0);
            CHECK(g_wal_syncs == at_command + 1);
        }

        before = g_wal_syncs;
        store.apply(parser.parse_google(R"({"items":[)" + item("c") + R"(],"nextSyncToken":"t1"})"), gen,
                    {std::string("t1"), true, std::nullopt}, 100);
        CHECK(g_wal_syncs > before);  // the page with the cursor is fsynced
        CHECK(db->sql().execAndGet("SELECT count(*) FROM events").getInt() == 3);
    }
}
