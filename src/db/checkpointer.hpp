// Copies a database's WAL into the main file on a thread of its own, with a
// connection of its own, while another connection keeps writing: a long bulk
// write (a full sync) then no longer stops every ~16 MB to checkpoint inline,
// and the second core does the copy. It takes the writer's WAL hook (in place
// of SQLite's auto-checkpoint) and, after a commit that leaves ~4 MB in the
// WAL, runs one PASSIVE checkpoint (which never blocks the writer nor waits
// for readers); commits that arrive while one runs fold into the next. Once
// the WAL holds four times that, the writer catches up itself, so the WAL
// starts over (see catch_up). Commits stay as durable as before: the writer's
// connection still fsyncs the WAL at every commit.
#pragma once

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace calsync {

class Checkpointer {
public:
    // Opens its own connection to the writer's database; throws
    // SQLite::Exception if it cannot. `frames`: the writer's auto-checkpoint,
    // given back at the end.
    Checkpointer(SQLite::Database& writer, int frames);
    // Waits for a running checkpoint to finish, does not start another, and
    // gives the writer back SQLite's auto-checkpoint every `frames` frames.
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

private:
    static int on_commit(void* self, sqlite3* db, const char* name, int frames);
    void poke();
    void catch_up(sqlite3* writer);
    void loop();

    SQLite::Database& writer_;
    int frames_;
    int trigger_ = 0, catch_up_ = 0;  // WAL frames

    SQLite::Database db_;
    std::mutex m_;
    std::condition_variable cv_;
    bool poked_ = false, running_ = false, stop_ = false;
    std::thread thread_;
};

}  // namespace calsync
