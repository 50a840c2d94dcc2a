#include "auth.hpp"

#include "http.hpp"

namespace emu {

const Scopes kGoogleEventScopes = {
    "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.events.readonly"};
const Scopes kGraphCalendarScopes = {
    "https://graph.microsoft.com/Calendars.Read", "https://graph.microsoft.com/Calendars.ReadWrite",
    "https://graph.microsoft.com/Calendars.Read.Shared", "https://graph.microsoft.com/Calendars.ReadWrite.Shared"};

namespace {

constexpr const char* kGoogleChallenge = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
constexpr const char* kGraphChallenge =
    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
    "client_id=\"00000003-0000-0000-c000-000000000000\"";

void send_unauthorized(const httplib::Request& req, httplib::Response& res, Api api, bool token_present) {
    switch (api) {
    case Api::google_userinfo:
        res.set_header("WWW-Authenticate", kGoogleChallenge);
        send_json(res, 401, Json{{"error", "invalid_token"}, {"error_description", "Invalid Credentials"}});
        return;
    case Api::google_api: {
        res.set_header("WWW-Authenticate", kGoogleChallenge);
        Json error = {{"domain", "global"},
                      {"reason", token_present ? "authError" : "required"},
                      {"message", token_present ? "Invalid Credentials" : "Login Required."},
                      {"locationType", "header"},
                      {"location", "Authorization"}};
        Json body = {{"error",
                      {{"errors", Json::array({error})},
                       {"code", 401},
                       {"message", token_present ? "Invalid Credentials" : "Login Required."}}}};
        send_json(res, 401, body);
        return;
    }
    case Api::graph:
        res.set_header("WWW-Authenticate", kGraphChallenge);
        send_graph_error(req, res, 401, "InvalidAuthenticationToken",
                         token_present ? "Access token has expired or is not yet valid." : "Access token is empty.");
        return;
    }
}

}  // namespace

std::optional<Principal> authenticate(State& state, const httplib::Request& req, httplib::Response& res, Api api) {
    Provider provider = api == Api::graph ? Provider::microsoft : Provider::google;
    std::optional<std::string> token = bearer_token(req);
    if (token) {
        std::lock_guard lock(state.mu);
        if (const AccessToken* access = state.live_access_token(*token, provider)) {
            const Grant& grant = state.grants.at(access->grant_id);
            const User* user = state.user(grant.user_id);
            if (user) return Principal{provider, user->id, user->email, user->name, grant.client_id, access->scopes};
        }
    }
    send_unauthorized(req, res, api, token.has_value());
    return std::nullopt;
}

bool require_scope(const Principal& principal, const httplib::Request& req, httplib::Response& res, Api api,
                   const Scopes& any_of) {
    for (const auto& scope : any_of) {
        if (has_scope(principal.scopes, scope)) return true;
    }
    if (api == Api::graph) {
        send_graph_error(req, res, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        return false;
    }
    res.set_header("WWW-Authenticate",
                   "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", "
                   "scope=\"" +
                       join_scopes(any_of) + "\"");
    Json error = {{"message", "Insufficient Permission"}, {"domain", "global"}, {"reason", "insufficientPermissions"}};
    send_json(res, 403,
              Json{{"error",
                    {{"code", 403},
                     {"message", "Request had insufficient authentication scopes."},
                     {"errors", Json::array({error})},
                     {"status", "PERMISSION_DENIED"}}}});
    return false;
}

}  // namespace emu
