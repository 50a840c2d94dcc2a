// Authorizations in flight. The `state` sent to the provider is random,
// single-use, bound to org and provider, and expires (10 minutes by default).
// Only its SHA-256 is stored; the PKCE verifier is sealed.
#pragma once

#include <string>

#include "crypto/crypto.hpp"
#include "db/database.hpp"
#include "oauth/provider.hpp"
#include "secret.hpp"

namespace calsync {

struct PendingAuthorization {
    std::string org_id;
    Provider provider = Provider::google;
    std::string redirect_uri;
    Secret code_verifier;
};

class PendingStore {
public:
    static constexpr int64_t kDefaultTtl = 600;

    explicit PendingStore(Database& db) : db_(db) {}

    void create(const Key& key, const Secret& state, const PendingAuthorization& pending, int64_t now,
                int64_t ttl = kDefaultTtl);
    // Atomically marks the state used and returns what it was bound to. Throws
    // InputError for an unknown, already used or expired state, or one issued
    // for another provider.
    PendingAuthorization consume(const Key& key, const std::string& state, Provider provider, int64_t now);

private:
    Database& db_;
};

}  // namespace calsync
