#include "oauth/pkce.hpp"

#include "crypto/crypto.hpp"
#include "util/encoding.hpp"

namespace calsync {

std::string pkce_challenge(const std::string& verifier) { return base64url_encode(sha256(verifier)); }

Pkce make_pkce() {
    std::string verifier = base64url_encode(random_bytes(64));
    std::string challenge = pkce_challenge(verifier);
    return {Secret(std::move(verifier)), std::move(challenge)};
}

Secret make_state() { return Secret(base64url_encode(random_bytes(32))); }

}  // namespace calsync
