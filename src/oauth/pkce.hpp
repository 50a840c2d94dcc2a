// PKCE (RFC 7636, S256) and the OAuth `state` value. Pure apart from randomness.
#pragma once

#include <string>

#include "secret.hpp"

namespace calsync {

struct Pkce {
    Secret verifier;        // 86 chars of [A-Za-z0-9-_], inside RFC 7636's 43–128
    std::string challenge;  // BASE64URL-NOPAD(SHA256(verifier))
};

Pkce make_pkce();
std::string pkce_challenge(const std::string& verifier);

// 256 random bits, URL-safe. Single-use; stored only as a digest.
Secret make_state();

}  // namespace calsync
