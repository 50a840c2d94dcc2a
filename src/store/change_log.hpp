// The change log's sequence numbers (SPEC 4.6). Every writer of change_log
// takes them from here, under its write transaction: the highest ever used
// is kept in meta (change_log_seq), so a number is never used twice, even if
// rows were removed. (AUTOINCREMENT did that until schema v5, at the price of
// reading and rewriting sqlite_sequence in every INSERT statement, which cost
// more than the row itself.)
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <cstdint>

#include "db/database.hpp"

namespace calsync {

// The highest seq used so far (0 when none): new rows take the next ones.
int64_t change_log_last_seq(SQLite::Database& db);
// Records `seq` as the highest used; call before the transaction commits.
void set_change_log_last_seq(SQLite::Database& db, int64_t seq);

// A read transaction for handing out changes: everything it sees is durable
// before it is read. The pages of a sync round commit without an fsync but
// the last (EventStore::apply), so after a power failure the latest changes
// may be gone and their numbers given to others; a consumer must never have
// seen them. While alive, reads on `db` share one snapshot, fsynced.
class DurableSnapshot {
public:
    explicit DurableSnapshot(Database& db);

private:
    SQLite::Transaction tx_;  // never committed: rolled back (a read) when it goes
};

}  // namespace calsync
