// Syncs all selected calendars of one integration under its lease: what
// `poll`, `authorize` (the initial sync) and later `process-queue` call.
// Discovers the calendars first if none are known yet.
#pragma once

#include <string>
#include <vector>

#include "store/calendars.hpp"
#include "sync/syncer.hpp"

namespace calsync {

struct IntegrationSyncResult {
    int64_t integration_id = 0;
    std::string status = "ok";  // ok | failed | skipped (lease held elsewhere) | needs_reauth
    std::string error;
    int64_t calendars = 0;
    int64_t pages = 0;
    int64_t events = 0;
    int64_t upserts = 0;
    int64_t deletes = 0;
    bool full = false;
    bool temporary = false;  // the failure was worth retrying (network, 5xx, busy)
};

// One worker's tools: its own database connection and HTTP client.
struct SyncWorker {
    Database& db;
    ProviderApi& api;
    CalendarSyncer& syncer;
    const Clock& clock;
};

IntegrationSyncResult sync_integration(SyncWorker& worker, const Integration& integration, bool full,
                                       const SyncProgress& progress = {});

// Fetches the provider's calendar list and records it (see CalendarStore).
void discover_calendars(SyncWorker& worker, const Integration& integration, const std::vector<std::string>& select);

}  // namespace calsync
