// Copies a database's WAL into the main file on a thread of its own, with a
// connection of its own, while another connection keeps writing: a long bulk
// write (a full sync) then no longer stops every ~16 MB to checkpoint inline,
// and the second core does the copy. Each poke() asks for one PASSIVE
// checkpoint (it never blocks the writer nor waits for readers); pokes that
// arrive while one runs fold into the next. Commits stay as durable as before:
// the writer's connection still fsyncs the WAL at every commit.
#pragma once

#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace calsync {

class Checkpointer {
public:
    // Opens its own connection to `path`; throws SQLite::Exception if it cannot.
    explicit Checkpointer(const std::string& path);
    // Waits for a running checkpoint to finish; does not start another.
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    void poke();

private:
    void loop();

    SQLite::Database db_;
    std::mutex m_;
    std::condition_variable cv_;
    bool poked_ = false, stop_ = false;
    std::thread thread_;
};

}  // namespace calsync
