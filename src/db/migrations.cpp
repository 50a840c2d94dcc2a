#include "db/migrations.hpp"

#include <string>

#include "errors.hpp"

namespace calsync {

// Times are Unix seconds (INTEGER); secrets are AES-256-GCM sealed BLOBs whose
// associated data names their row (see store/integrations.cpp).
static const char* const kV1 = R"sql(
-- Facts about the store itself, e.g. the check value that tells whether the
-- key file is the one this database's tokens were sealed with.
CREATE TABLE meta (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
    created_at  INTEGER NOT NULL
);

CREATE TABLE integrations (
    id                       INTEGER PRIMARY KEY,
    org_id                   TEXT NOT NULL REFERENCES organizations(id),
    provider                 TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
    account_id               TEXT NOT NULL,            -- Google `sub` / Graph user id: stable
    account_email            TEXT NOT NULL,
    status                   TEXT NOT NULL CHECK (status IN ('connected', 'needs_reauth', 'disconnected')),
    granted_scopes           TEXT NOT NULL DEFAULT '',
    access_token             BLOB,                     -- sealed
    access_token_expires_at  INTEGER,
    refresh_token            BLOB,                     -- sealed
    token_version            INTEGER NOT NULL DEFAULT 0,  -- bumped on every token write
    last_error               TEXT,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    UNIQUE (org_id, provider, account_id)
);

CREATE TABLE calendars (
    id                    INTEGER PRIMARY KEY,
    integration_id        INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    provider_calendar_id  TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    is_primary            INTEGER NOT NULL DEFAULT 0,
    selected              INTEGER NOT NULL DEFAULT 1,  -- synced
    sync_cursor           TEXT,                        -- Google nextSyncToken / Graph deltaLink
    last_sync_at          INTEGER,
    last_error            TEXT,
    created_at            INTEGER NOT NULL,
    UNIQUE (integration_id, provider_calendar_id)
);

-- One row per authorization started (loopback, --print-url, connect page).
-- The state is single-use: used_at is set atomically when a callback consumes it.
CREATE TABLE pending_authorizations (
    state_digest   TEXT PRIMARY KEY,                   -- hex SHA-256 of the state
    org_id         TEXT NOT NULL,
    provider       TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
    redirect_uri   TEXT NOT NULL,
    code_verifier  BLOB NOT NULL,                      -- sealed
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX pending_authorizations_expiry ON pending_authorizations(expires_at);
)sql";

// The sync engine: events, the change feed, per-integration sync leases.
static const char* const kV2 = R"sql(
ALTER TABLE calendars ADD COLUMN time_zone TEXT;
ALTER TABLE calendars ADD COLUMN sync_generation INTEGER NOT NULL DEFAULT 0;  -- bumped by each full sync
ALTER TABLE calendars ADD COLUMN window_start INTEGER;   -- Graph calendarView window of sync_cursor
ALTER TABLE calendars ADD COLUMN window_end INTEGER;
ALTER TABLE calendars ADD COLUMN last_full_sync_at INTEGER;
ALTER TABLE calendars ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;  -- consecutive failed syncs

-- One row per provider event. kind: single | series | instance | exception
-- (see README, "Recurring events"). start/end are RFC 3339 UTC, or
-- YYYY-MM-DD for all-day events; start_ts/end_ts are Unix seconds for ranges.
CREATE TABLE events (
    id                  INTEGER PRIMARY KEY,
    calendar_id         INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    event_id            TEXT NOT NULL,
    status              TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('single', 'series', 'instance', 'exception')),
    summary             TEXT,
    location            TEXT,
    start               TEXT NOT NULL,
    "end"               TEXT NOT NULL,
    all_day             INTEGER NOT NULL DEFAULT 0,
    start_ts            INTEGER NOT NULL,
    end_ts              INTEGER NOT NULL,
    updated             TEXT,
    etag                TEXT,
    recurring_event_id  TEXT,
    original_start      TEXT,
    recurrence          TEXT,             -- JSON array of RRULE/EXRULE/RDATE/EXDATE lines
    raw                 TEXT NOT NULL,    -- the provider's JSON, as received
    sync_generation     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (calendar_id, event_id)
);
CREATE INDEX events_start ON events(start_ts);

-- The change feed: every upsert/delete a sync applies, in the same
-- transaction, with a snapshot of the event as `calsync events --json` shows it.
CREATE TABLE change_log (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id        INTEGER NOT NULL,
    calendar_id           INTEGER NOT NULL,
    provider_calendar_id  TEXT NOT NULL,
    event_id              TEXT NOT NULL,
    op                    TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    event                 TEXT,
    at                    INTEGER NOT NULL
);

-- Serializes syncs of one integration across processes (poll, process-queue).
CREATE TABLE sync_leases (
    integration_id  INTEGER PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
    holder          TEXT NOT NULL,
    expires_at      INTEGER NOT NULL
);
)sql";

// Push notifications: the channels registered at the providers and the queue
// the CGI receiver fills. Channel secrets (Google channel token, Graph
// clientState) are stored only as SHA-256 digests: the receiver verifies, it
// never needs the encryption key.
static const char* const kV3 = R"sql(
-- One Google watch channel or Graph subscription per synced calendar.
-- status: active (receives), retiring (replaced by a newer channel; still
-- accepted until it is stopped at the provider).
CREATE TABLE webhook_channels (
    id               INTEGER PRIMARY KEY,
    integration_id   INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    calendar_id      INTEGER REFERENCES calendars(id) ON DELETE SET NULL,
    provider         TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
    channel_id       TEXT NOT NULL,       -- Google channel id (a UUID) / Graph subscription id
    resource_id      TEXT,                -- Google resourceId
    resource         TEXT,                -- Google resourceUri / Graph resource
    secret_digest    TEXT NOT NULL,       -- hex SHA-256 of the channel token / clientState
    status           TEXT NOT NULL CHECK (status IN ('active', 'retiring')),
    expires_at       INTEGER NOT NULL,    -- as the provider granted it
    created_at       INTEGER NOT NULL,
    renewed_at       INTEGER,
    last_error       TEXT,
    UNIQUE (provider, channel_id)
);
CREATE INDEX webhook_channels_integration ON webhook_channels(integration_id);
CREATE INDEX webhook_channels_expiry ON webhook_channels(expires_at);

-- Notifications as received. kind: sync (Google's first message), change,
-- lifecycle (Graph). status: pending -> processing (leased) -> done | rejected,
-- or back to pending with a backoff, and dead after too many attempts.
CREATE TABLE webhook_queue (
    id                INTEGER PRIMARY KEY,
    provider          TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
    channel_id        TEXT NOT NULL,
    message_id        TEXT,               -- Google message number / Graph item id: a redelivery is stored once
    kind              TEXT NOT NULL CHECK (kind IN ('sync', 'change', 'lifecycle')),
    state             TEXT NOT NULL,      -- resource state / changeType / lifecycleEvent
    payload           TEXT NOT NULL,      -- JSON, without the secret
    secret_digest     TEXT NOT NULL,      -- digest of the secret the request presented
    status            TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'rejected', 'dead')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    lease_holder      TEXT,
    lease_expires_at  INTEGER,
    last_error        TEXT,
    received_at       INTEGER NOT NULL,
    finished_at       INTEGER,
    UNIQUE (provider, channel_id, message_id)
);
CREATE INDEX webhook_queue_due ON webhook_queue(status, next_attempt_at);
)sql";

// Snapshot on supersede (sync/event_json.hpp): a change_log upsert row is
// written without its JSON while the event row still holds exactly that state;
// events.log_seq names that change_log row. Whatever changes or deletes the
// event row copies the JSON into it first. A full sync then writes no second
// copy of every event. (Not triggers: a trigger on `events` makes SQLite keep
// a statement journal for every upsert, which costs more than the copy saves.)
static const char* const kV4 = R"sql(
ALTER TABLE events ADD COLUMN log_seq INTEGER;  -- change_log.seq whose snapshot this row holds, not yet copied
)sql";

// Schema v5, for the cost of every row a sync writes.
// The index on events(start_ts) goes. Start times arrive in random order, so
// every page of a sync rewrote nearly all its leaves (1.4 MB a page at 100,000
// events: a third of the WAL a full sync wrote), and it did not even help
// reads: `calsync events` over it fetched rows in random order and ran slower
// than a scan of the table and a sort (0.07 s against 0.03 s for a week of
// 100,000 events, 0.65 s against 0.27 s for all of them).
static const char* const kV5 = R"sql(
DROP INDEX IF EXISTS events_start;
)sql";

// Two table definitions change without changing what they store or allow:
// - CHECK (x IN ('a', 'b', 'c', ...)) with three or more values makes SQLite
//   build a temporary b-tree of the list for every row inserted or updated:
//   a third of all a full sync's instructions. The same constraints as OR
//   chains cost a few comparisons.
// - change_log.seq loses AUTOINCREMENT, whose every INSERT statement reads and
//   rewrites sqlite_sequence, which cost more than the row. calsync keeps the
//   highest seq used in meta instead (store/change_log.hpp).
// The tables are not rebuilt: their CREATE text is edited in place, SQLite's
// documented procedure for such changes (https://sqlite.org/lang_altertable.html,
// "Making Other Kinds Of Table Schema Changes"; the b-trees and rows stay as
// they are), inside the migration's transaction, and checked before it commits.
struct SchemaRewrite {
    const char* table;
    const char* old_text;
    const char* new_text;
};

constexpr SchemaRewrite kV5Rewrites[] = {
    {"events", "CHECK (kind IN ('single', 'series', 'instance', 'exception'))",
     "CHECK (kind = 'single' OR kind = 'series' OR kind = 'instance' OR kind = 'exception')"},
    {"integrations", "CHECK (status IN ('connected', 'needs_reauth', 'disconnected'))",
     "CHECK (status = 'connected' OR status = 'needs_reauth' OR status = 'disconnected')"},
    {"webhook_queue", "CHECK (kind IN ('sync', 'change', 'lifecycle'))",
     "CHECK (kind = 'sync' OR kind = 'change' OR kind = 'lifecycle')"},
    {"webhook_queue", "CHECK (status IN ('pending', 'processing', 'done', 'rejected', 'dead'))",
     "CHECK (status = 'pending' OR status = 'processing' OR status = 'done' OR status = 'rejected' OR "
     "status = 'dead')"},
    {"change_log", "seq                   INTEGER PRIMARY KEY AUTOINCREMENT,",
     "seq                   INTEGER PRIMARY KEY,"},
};

void rewrite_schema_v5(SQLite::Database& db) {
    db.exec("INSERT INTO meta (name, value) SELECT 'change_log_seq', seq FROM sqlite_sequence "
            "WHERE name = 'change_log'");
    db.exec("DELETE FROM sqlite_sequence WHERE name = 'change_log'");
    int schema_version = db.execAndGet("PRAGMA schema_version").getInt();
    db.exec("PRAGMA writable_schema = ON");
    for (const auto& r : kV5Rewrites) {
        SQLite::Statement q(db, "UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2) "
                                "WHERE type = 'table' AND name = ?3 AND instr(sql, ?1) > 0");
        q.bind(1, r.old_text);
        q.bind(2, r.new_text);
        q.bind(3, r.table);
        q.exec();
    }
    db.exec("PRAGMA schema_version = " + std::to_string(schema_version + 1));
    db.exec("PRAGMA writable_schema = OFF");
    // The connection reads the new schema now: a mistake fails here, and the
    // transaction rolls back with the file untouched.
    for (const auto& r : kV5Rewrites) {
        SQLite::Statement q(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?");
        q.bind(1, r.table);
        if (!q.executeStep() || q.getColumn(0).getString().find(r.new_text) == std::string::npos)
            throw ConfigError(std::string("migration 5: the definition of table ") + r.table +
                              " is not the one this calsync created; the database was not changed");
        SQLite::Statement probe(db, std::string("SELECT * FROM ") + r.table + " LIMIT 0");
        probe.executeStep();
    }
}

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "meta, organizations, integrations, calendars, pending authorizations", kV1},
        {2, "events, change log, sync leases", kV2},
        {3, "webhook channels and queue", kV3},
        {4, "change log snapshots on supersede", kV4},
        {5, "CHECK constraints without IN lists, change_log without AUTOINCREMENT, no events_start index", kV5,
         rewrite_schema_v5},
    };
    return all;
}

}  // namespace calsync
