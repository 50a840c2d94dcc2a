#include "oauth/connect.hpp"

#include <spdlog/spdlog.h>

#include "store/integrations.hpp"

namespace calsync {

ConnectResult connect_account(OAuthClient& client, Database& db, const Key& key, const Clock& clock,
                              const std::string& org, const TokenResponse& tokens) {
    std::string provider(to_string(client.provider()));
    auto missing = client.missing_scopes(tokens.granted_scopes);
    if (!missing.empty()) {
        std::string list;
        for (const auto& s : missing) list += (list.empty() ? "" : ", ") + s;
        throw InputError(provider + ": the account did not grant " + list +
                         "; authorize again and allow calendar read access");
    }
    AccountInfo account = client.account(tokens.access_token);
    IntegrationStore store(db);
    if (!tokens.refresh_token && !store.find(org, client.provider(), account.id)) {
        throw InputError(provider + ": no refresh token was granted (offline access); calsync could not keep "
                                        "the account in sync");
    }
    SaveResult saved = store.save_authorized(key, org, client.provider(), account, tokens, clock.now());
    spdlog::info("{} account {} {} integration {} (org {})", provider, account.email,
                 saved.created ? "stored as" : "updated in", saved.id, org);
    return {saved.id, saved.created, account};
}

}  // namespace calsync
