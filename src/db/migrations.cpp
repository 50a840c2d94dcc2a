#include "db/migrations.hpp"

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

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "meta, organizations, integrations, calendars, pending authorizations", kV1},
    };
    return all;
}

}  // namespace calsync
