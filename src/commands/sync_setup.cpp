#include "commands/sync_setup.hpp"

namespace calsync {

SyncSettings sync_settings(const Config& config) {
    SyncSettings s;
    s.google_page_size = config.google.page_size;
    s.graph_page_size = config.microsoft.page_size;
    s.graph_window_past = config.microsoft.window_past;
    s.graph_window_future = config.microsoft.window_future;
    return s;
}

SyncServices::SyncServices(const Config& config, const Key& key, const Clock& clock)
    : db_(Database::open(config.db)),
      http_(CurlOptions{config.connect_timeout_seconds, config.http_timeout_seconds, "calsync/0.1"}),
      tokens_(config, *db_, key, http_, clock),
      api_(config, http_, tokens_),
      syncer_(*db_, api_, clock, sync_settings(config)),
      worker_{*db_, api_, syncer_, clock} {}

}  // namespace calsync
