// Pieces the Microsoft identity-platform route files share: scope naming,
// client authentication at the token endpoint and the token response.
#pragma once

#include "provider_errors.hpp"
#include "state.hpp"

#include <httplib.h>

#include <string>

namespace emu {

// Bare Graph permissions get the resource prefix ("Calendars.Read" ->
// "https://graph.microsoft.com/Calendars.Read"); the OpenID scopes
// (openid, profile, email, offline_access) and full URIs stay as they are.
Scopes normalize_microsoft_scopes(const Scopes& scopes);
bool is_oidc_scope(const std::string& scope);

// The client named by client_id, checked the way Entra ID checks it: a public
// client must not present a secret (AADSTS700025), a confidential one must
// present the right one. On failure writes the error and returns nullptr.
// Expects state.mu held.
const Client* authenticate_microsoft_client(State& state, const httplib::Request& req, httplib::Response& res,
                                            const std::string& tenant);

// The success body of the token endpoint for `grant`, issuing an access token
// for `scopes`, a refresh token when `with_refresh_token`, and an id_token
// when the scopes include openid. Expects state.mu held.
Json microsoft_token_response(State& state, const Grant& grant, const Scopes& scopes, bool with_refresh_token,
                              const std::string& nonce = "");

// grant_type=urn:ietf:params:oauth:grant-type:device_code (microsoft_device.cpp).
// Expects state.mu held.
void microsoft_device_token(State& state, const Client& client, const httplib::Request& req, httplib::Response& res);
// POST /microsoft/{tenant}/oauth2/v2.0/devicecode (microsoft_device.cpp). Locks state.mu.
void microsoft_device_authorization(State& state, const httplib::Request& req, httplib::Response& res);

}  // namespace emu
