// Access tokens for API calls: refreshed shortly before expiry and once on a
// 401; a rotated refresh token is saved in the same transaction as the new
// access token; invalid_grant marks the integration needs_reauth and throws
// ReauthRequired (exit 4) instead of retrying.
#pragma once

#include <functional>

#include "config/config.hpp"
#include "crypto/crypto.hpp"
#include "http/http.hpp"
#include "store/integrations.hpp"
#include "util/time.hpp"

namespace calsync {

class TokenManager {
public:
    // Refresh when fewer than this many seconds of validity remain.
    static constexpr int64_t kRefreshMargin = 120;

    TokenManager(const Config& config, Database& db, const Key& key, HttpClient& http, const Clock& clock)
        : config_(config), store_(db), key_(key), http_(http), clock_(clock) {}

    Secret access_token(const Integration& integration, bool force_refresh = false);

    // Calls `send` with a valid access token; on 401 refreshes once and calls again.
    HttpResponse call(const Integration& integration, const std::function<HttpResponse(const Secret&)>& send);

private:
    Secret refresh(const Integration& integration, const StoredTokens& current);

    const Config& config_;
    IntegrationStore store_;
    const Key& key_;
    HttpClient& http_;
    const Clock& clock_;
};

}  // namespace calsync
