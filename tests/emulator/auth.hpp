// Bearer-token checks for the resource APIs (Google userinfo and Calendar,
// Microsoft Graph). Each API rejects a bad token with its own real 401.
#pragma once

#include "state.hpp"

#include <httplib.h>

#include <optional>
#include <string>

namespace emu {

enum class Api {
    google_userinfo,  // openidconnect.googleapis.com: flat OAuth-style error body
    google_api,       // www.googleapis.com/calendar/v3: {"error":{"errors":[…]}}
    graph,            // graph.microsoft.com/v1.0
};

// Who a valid access token speaks for (a copy: valid after the lock is released).
struct Principal {
    Provider provider = Provider::google;
    std::string user_id, email, name, client_id;
    Scopes scopes;
};

// Scopes that allow reading events (and watching them): Google's events.list
// and events.watch, Graph's calendar routes and event subscriptions.
extern const Scopes kGoogleEventScopes;
extern const Scopes kGraphCalendarScopes;

// Resolves the request's bearer token. If it is missing, unknown, expired,
// revoked or of the other provider, writes `api`'s 401 (with its
// WWW-Authenticate header) and returns nullopt. Locks state.mu itself.
std::optional<Principal> authenticate(State& state, const httplib::Request& req, httplib::Response& res, Api api);

// True if the token carries one of `any_of`; otherwise writes `api`'s 403
// for insufficient scopes and returns false.
bool require_scope(const Principal& principal, const httplib::Request& req, httplib::Response& res, Api api,
                   const Scopes& any_of);

}  // namespace emu
