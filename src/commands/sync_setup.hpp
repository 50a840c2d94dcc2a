// Everything one sync worker thread owns: a database connection, an HTTP
// client, a token manager, the provider API and a calendar syncer. Threads
// share only the configuration, the key and the clock (all read-only).
#pragma once

#include <memory>

#include "cli/context.hpp"
#include "http/curl_client.hpp"
#include "sync/integration_sync.hpp"

namespace calsync {

class SyncServices {
public:
    SyncServices(const Config& config, const Key& key, const Clock& clock);
    SyncWorker& worker() { return worker_; }

private:
    std::unique_ptr<Database> db_;
    CurlHttpClient http_;
    TokenManager tokens_;
    ProviderApi api_;
    CalendarSyncer syncer_;
    SyncWorker worker_;
};

// Settings for the engine from the configuration.
SyncSettings sync_settings(const Config& config);

}  // namespace calsync
