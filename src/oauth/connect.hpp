// The end of every authorization flow (loopback, device code, and the CGI
// callback): read the account identity, check the granted scopes, store the
// integration with its sealed tokens. One place, so every flow behaves alike.
#pragma once

#include "crypto/crypto.hpp"
#include "db/database.hpp"
#include "oauth/oauth_client.hpp"
#include "util/time.hpp"

namespace calsync {

struct ConnectResult {
    int64_t integration_id = 0;
    bool created = false;
    AccountInfo account;
};

// Throws InputError when a needed scope was not granted or no refresh token
// came with a first connection.
ConnectResult connect_account(OAuthClient& client, Database& db, const Key& key, const Clock& clock,
                              const std::string& org, const TokenResponse& tokens);

}  // namespace calsync
