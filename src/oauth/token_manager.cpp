#include "oauth/token_manager.hpp"

#include <spdlog/spdlog.h>

#include "oauth/oauth_client.hpp"

namespace calsync {

Secret TokenManager::access_token(const Integration& integration, bool force_refresh) {
    if (integration.status == "needs_reauth")
        throw ReauthRequired("integration " + std::to_string(integration.id) + " (" + integration.account_email +
                             ") needs re-authorization: run `calsync authorize " +
                             std::string(to_string(integration.provider)) + " --org " + integration.org_id + "`");
    if (integration.status != "connected")
        throw UsageError("integration " + std::to_string(integration.id) + " is " + integration.status);
    StoredTokens t = store_.tokens(key_, integration.id);
    if (!force_refresh && !t.access_token.empty() && t.expires_at - kRefreshMargin > clock_.now()) return t.access_token;
    return refresh(integration, t);
}

Secret TokenManager::refresh(const Integration& integration, const StoredTokens& current) {
    std::string who = std::string(to_string(integration.provider)) + ": integration " + std::to_string(integration.id);
    if (current.refresh_token.empty()) {
        store_.mark_needs_reauth(integration.id, "no refresh token stored", clock_.now());
        throw ReauthRequired(who + " has no refresh token; authorize it again");
    }
    OAuthClient client(integration.provider, config_, http_);
    TokenResponse fresh;
    try {
        fresh = client.refresh(current.refresh_token);
    } catch (const InvalidGrant& e) {
        // Another process may have rotated the token a moment ago; only a
        // refusal of the newest token means the grant is gone.
        StoredTokens now = store_.tokens(key_, integration.id);
        if (now.version != current.version && !now.access_token.empty() && now.expires_at > clock_.now())
            return now.access_token;
        store_.mark_needs_reauth(integration.id, "invalid_grant: the provider refused the refresh token", clock_.now());
        spdlog::error("{}: refresh token refused (invalid_grant); marked needs_reauth", who);
        throw ReauthRequired(who + " (" + integration.account_email +
                             ") needs re-authorization: the provider refused its refresh token");
    }
    if (!store_.save_refreshed(key_, integration.id, current.version, fresh, clock_.now())) {
        // Lost a race with another refresher: use what it stored.
        StoredTokens winner = store_.tokens(key_, integration.id);
        if (!winner.access_token.empty()) return winner.access_token;
    }
    spdlog::debug("{}: access token refreshed{}", who, fresh.refresh_token ? " (refresh token rotated)" : "");
    return fresh.access_token;
}

HttpResponse TokenManager::call(const Integration& integration, const std::function<HttpResponse(const Secret&)>& send) {
    HttpResponse r = send(access_token(integration));
    if (r.status != 401) return r;
    spdlog::info("{}: integration {}: access token rejected (401), refreshing once",
                 to_string(integration.provider), integration.id);
    auto latest = store_.get(integration.id);
    return send(access_token(latest.value_or(integration), true));
}

}  // namespace calsync
