// One provider's OAuth 2.0 endpoints (PROTOCOL.md §1, §4): authorization URL,
// code exchange, refresh, device flow, revocation and the account identity.
// The differences between Google and Microsoft live here and nowhere else.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "http/http.hpp"
#include "http/retry.hpp"
#include "oauth/provider.hpp"
#include "secret.hpp"

namespace calsync {

struct TokenResponse {
    Secret access_token;
    int64_t expires_in = 3600;
    std::optional<Secret> refresh_token;  // Google: first consent only; Microsoft: rotates
    std::vector<std::string> granted_scopes;  // normalized (Graph prefix stripped)
};

struct AccountInfo {
    std::string id;     // Google `sub`, Graph user id
    std::string email;
    std::string name;
};

struct DeviceAuthorization {
    Secret device_code;
    std::string user_code;
    std::string verification_uri;
    std::string message;
    int64_t expires_in = 900;
    int64_t interval = 5;
};

// The provider said the grant (code, refresh token, device code) is no good.
class InvalidGrant : public ProviderError {
public:
    using ProviderError::ProviderError;
};

// The device flow is still waiting: `error` is authorization_pending or slow_down.
struct DevicePoll {
    std::optional<TokenResponse> tokens;
    std::string error;
};

class OAuthClient {
public:
    OAuthClient(Provider provider, const Config& config, HttpClient& http, RetryPolicy retry = {});

    Provider provider() const { return provider_; }
    // Scopes calsync asks for, and those without which it cannot work.
    std::vector<std::string> requested_scopes() const;
    std::vector<std::string> missing_scopes(const std::vector<std::string>& granted) const;

    std::string authorization_url(const std::string& redirect_uri, const Secret& state,
                                  const std::string& code_challenge) const;
    TokenResponse exchange_code(const Secret& code, const Secret& verifier, const std::string& redirect_uri);
    TokenResponse refresh(const Secret& refresh_token);
    DeviceAuthorization start_device_flow();
    DevicePoll poll_device(const Secret& device_code);
    AccountInfo account(const Secret& access_token);
    // Where the account identity is read (Google userinfo, Graph /me).
    std::string identity_url() const;
    // Revokes a token at the provider. Google only; Microsoft has no revocation
    // endpoint for delegated tokens (returns false without a request).
    bool revoke(const Secret& token);

private:
    std::string token_url() const;
    HttpResponse post_form(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form);
    TokenResponse parse_tokens(const HttpResponse& response, const char* what);
    void add_client_auth(std::vector<std::pair<std::string, std::string>>& form) const;

    Provider provider_;
    const Config& config_;
    HttpClient& http_;
    RetryPolicy retry_;
};

// Splits a space-separated scope string; strips Graph's resource prefix.
std::vector<std::string> normalize_scopes(const std::string& scope);

}  // namespace calsync
