// Connected accounts (integrations) and their sealed tokens. Each token is
// sealed with the row's identity as associated data, so a token copied into
// another row, or another column, does not decrypt.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "db/database.hpp"
#include "oauth/oauth_client.hpp"
#include "oauth/provider.hpp"

namespace calsync {

struct Integration {
    int64_t id = 0;
    std::string org_id;
    Provider provider = Provider::google;
    std::string account_id;
    std::string account_email;
    std::string status;  // connected | needs_reauth | disconnected
    std::string granted_scopes;
    std::optional<int64_t> access_token_expires_at;
    int64_t token_version = 0;
    std::optional<std::string> last_error;
    int64_t created_at = 0;
    int64_t updated_at = 0;
};

struct StoredTokens {
    Secret access_token;
    int64_t expires_at = 0;
    Secret refresh_token;
    int64_t version = 0;
};

struct SaveResult {
    int64_t id;
    bool created;
};

class IntegrationStore {
public:
    explicit IntegrationStore(Database& db) : db_(db) {}

    std::vector<Integration> list();
    std::optional<Integration> get(int64_t id);
    Integration require(int64_t id);  // throws UsageError naming the id
    // What a job works on: the named integrations (UsageError if one is
    // unknown or disconnected), or every connected one when `ids` is empty.
    std::vector<Integration> targets(const std::vector<int64_t>& ids);
    std::optional<Integration> find(const std::string& org, Provider provider, const std::string& account_id);

    // Inserts or, for an account already connected to that org, updates
    // (new tokens, status connected), all in one transaction.
    SaveResult save_authorized(const Key& key, const std::string& org, Provider provider, const AccountInfo& account,
                               const TokenResponse& tokens, int64_t now);

    StoredTokens tokens(const Key& key, int64_t id);
    // Stores refreshed tokens if nobody else did since `expected_version`; a new
    // refresh token (Microsoft rotates) replaces the old one in the same write.
    bool save_refreshed(const Key& key, int64_t id, int64_t expected_version, const TokenResponse& tokens, int64_t now);
    void mark_needs_reauth(int64_t id, const std::string& reason, int64_t now);
    // Wipes the tokens and marks the integration disconnected.
    void mark_disconnected(int64_t id, int64_t now);

    static std::string token_aad(int64_t id, const char* column);

private:
    Database& db_;
};

// Organization ids go into channel tokens and clientState: [A-Za-z0-9._-]{1,64}.
bool valid_org_id(const std::string& org);

}  // namespace calsync
