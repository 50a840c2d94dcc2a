// OAuth 2.0 rules both providers share in shape but not in detail:
// redirect-URI acceptance, PKCE (RFC 7636) and what a consent grants.
#pragma once

#include "state.hpp"

#include <string>

namespace emu {

// Google Desktop clients: http://127.0.0.1[:port][/path] and
// http://[::1][:port][/path], or exactly a registered URI. No fragment.
bool google_redirect_allowed(const Client& client, const std::string& uri);

// Microsoft: http://localhost and http://127.0.0.1 with any port and path
// ("the port component is ignored for matching"), or a registered URI (port
// ignored for those hosts as well). [::1] is not supported, as at Microsoft.
bool microsoft_redirect_allowed(const Client& client, const std::string& uri);

// S256 | plain (the default when a challenge comes without a method).
bool valid_challenge_method(const std::string& method);
// 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1, also the challenge's shape).
bool valid_pkce_string(const std::string& value);

enum class PkceCheck { ok, missing_verifier, mismatch, unexpected_verifier };
PkceCheck check_pkce(const AuthCode& code, const std::string& verifier);

// What a consent grants for `requested`: everything, or the requested scopes
// the consent lists (a user who unticks granular permissions).
Scopes consented_scopes(const Consent& consent, const Scopes& requested);

}  // namespace emu
