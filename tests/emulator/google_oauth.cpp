// Google OAuth 2.0 for installed apps (PROTOCOL.md §1): the authorize page,
// the token endpoint (code exchange with PKCE, refresh), revoke and the
// OpenID Connect userinfo endpoint.
#include "auth.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "mint.hpp"
#include "oauth.hpp"
#include "routes.hpp"

namespace emu {
namespace {

constexpr const char* kIssuer = "https://accounts.google.com";
constexpr const char* kEmailScope = "https://www.googleapis.com/auth/userinfo.email";
constexpr const char* kProfileScope = "https://www.googleapis.com/auth/userinfo.profile";

// Authorize-time errors Google shows on its own page instead of redirecting.
void error_page(httplib::Response& res, int status, const std::string& error, const std::string& detail) {
    send_html(res, status, "Error " + std::to_string(status) + ": " + error, detail);
}

void oauth_error(httplib::Response& res, int status, const char* error, const std::string& description) {
    send_json(res, status, Json{{"error", error}, {"error_description", description}});
}

bool grants_email(const Scopes& s) { return has_scope(s, "email") || has_scope(s, kEmailScope); }
bool grants_profile(const Scopes& s) { return has_scope(s, "profile") || has_scope(s, kProfileScope); }
bool wants_id_token(const Scopes& s) { return has_scope(s, "openid") || grants_email(s) || grants_profile(s); }

std::string id_token(const Grant& grant, const User& user, const std::string& nonce, int ttl) {
    Millis now = now_ms() / 1000;
    Json claims = {{"iss", kIssuer}, {"azp", grant.client_id}, {"aud", grant.client_id}, {"sub", user.id}};
    if (grants_email(grant.scopes)) {
        claims["email"] = user.email;
        claims["email_verified"] = true;
    }
    if (grants_profile(grant.scopes)) claims["name"] = user.name;
    if (!nonce.empty()) claims["nonce"] = nonce;
    claims["iat"] = now;
    claims["exp"] = now + ttl;
    return mint::jwt_like(claims);
}

void authorize(State& state, const httplib::Request& req, httplib::Response& res) {
    std::string redirect_uri = param(req, "redirect_uri");
    std::string state_param = param(req, "state");
    std::lock_guard lock(state.mu);
    const Client* client = state.find_client(Provider::google, param(req, "client_id"));
    if (!client) return error_page(res, 401, "invalid_client", "The OAuth client was not found.");
    if (redirect_uri.empty())
        return error_page(res, 400, "invalid_request", "Missing required parameter: redirect_uri");
    if (!google_redirect_allowed(*client, redirect_uri))
        return error_page(res, 400, "redirect_uri_mismatch",
                          "The redirect URI in the request, " + redirect_uri +
                              ", does not match the ones authorized for the OAuth client.");
    // Google shows request errors on its page; it redirects only the user's answer.
    std::string response_type = param(req, "response_type");
    if (response_type.empty())
        return error_page(res, 400, "invalid_request", "Required parameter is missing: response_type");
    if (response_type != "code")
        return error_page(res, 400, "unsupported_response_type", "Unsupported response type: " + response_type);
    Scopes requested = split_scopes(param(req, "scope"));
    if (requested.empty()) return error_page(res, 400, "invalid_request", "Missing required parameter: scope");
    std::string challenge = param(req, "code_challenge");
    std::string method = param(req, "code_challenge_method");
    if (!challenge.empty() && method.empty()) method = "plain";
    if (!method.empty() && !valid_challenge_method(method))
        return error_page(res, 400, "invalid_request", "Invalid code_challenge_method: " + method);
    if (!challenge.empty() && !valid_pkce_string(challenge))
        return error_page(res, 400, "invalid_request", "Invalid code_challenge.");

    std::vector<std::pair<std::string, std::string>> answer;
    if (!state_param.empty()) answer.emplace_back("state", state_param);
    auto consent = state.consents.find(Provider::google);
    if (consent == state.consents.end()) {
        if (param(req, "prompt").find("none") != std::string::npos) {
            answer.emplace_back("error", "login_required");
            return redirect(res, append_params(redirect_uri, answer));
        }
        return send_html(res, 200, "Sign in - Google Accounts",
                         "Choose an account. (Emulator: no consent is configured; POST /_control/consent.)");
    }
    if (!consent->second.error.empty()) {
        answer.emplace_back("error", consent->second.error);
        return redirect(res, append_params(redirect_uri, answer));
    }
    const User& user = state.ensure_user(Provider::google, consent->second.email);
    Scopes granted = consented_scopes(consent->second, requested);
    AuthCode code;
    code.provider = Provider::google;
    code.client_id = client->id;
    code.redirect_uri = redirect_uri;
    code.user_id = user.id;
    code.scopes = granted;
    code.challenge = challenge;
    code.challenge_method = challenge.empty() ? "" : method;
    code.offline = param(req, "access_type") == "offline";
    code.force_consent = param(req, "prompt").find("consent") != std::string::npos;
    code.nonce = param(req, "nonce");
    std::string value = state.issue_code(std::move(code));
    answer.emplace_back("iss", kIssuer);
    answer.emplace_back("code", value);
    answer.emplace_back("scope", join_scopes(granted));
    answer.emplace_back("authuser", "0");
    redirect(res, append_params(redirect_uri, answer));
}

// client_secret_post or client_secret_basic. Desktop clients must send the
// secret although the docs call it optional (PROTOCOL.md §1; the endpoint
// answers "client_secret is missing.").
const Client* authenticate_client(State& state, const httplib::Request& req, httplib::Response& res) {
    std::string id = param(req, "client_id");
    std::string secret = param(req, "client_secret");
    if (auto basic = basic_credentials(req)) std::tie(id, secret) = *basic;
    state.remember_secret(secret);
    auto refuse = [&res](int status, const char* error, const char* description) -> const Client* {
        oauth_error(res, status, error, description);
        return nullptr;
    };
    if (id.empty()) return refuse(400, "invalid_request", "Could not determine client ID from request.");
    const Client* client = state.find_client(Provider::google, id);
    if (!client) return refuse(401, "invalid_client", "The OAuth client was not found.");
    if (client->secret && secret.empty()) return refuse(400, "invalid_request", "client_secret is missing.");
    if (client->secret && secret != *client->secret) return refuse(401, "invalid_client", "Unauthorized");
    return client;
}

void exchange_code(State& state, const Client& client, const httplib::Request& req, httplib::Response& res) {
    std::string value = param(req, "code");
    std::string verifier = param(req, "code_verifier");
    state.remember_secret(value);
    state.remember_secret(verifier);
    if (value.empty()) return oauth_error(res, 400, "invalid_request", "Missing required parameter: code");
    auto it = state.codes.find(value);
    if (it == state.codes.end() || it->second.provider != Provider::google)
        return oauth_error(res, 400, "invalid_grant", "Malformed auth code.");
    AuthCode& code = it->second;
    if (code.used || code.expires_ms <= now_ms() || code.client_id != client.id)
        return oauth_error(res, 400, "invalid_grant", "Bad Request");
    if (param(req, "redirect_uri") != code.redirect_uri)
        return oauth_error(res, 400, "redirect_uri_mismatch", "Bad Request");
    switch (check_pkce(code, verifier)) {
    case PkceCheck::ok: break;
    case PkceCheck::missing_verifier: return oauth_error(res, 400, "invalid_grant", "Missing code verifier.");
    case PkceCheck::mismatch: return oauth_error(res, 400, "invalid_grant", "Bad Request");
    case PkceCheck::unexpected_verifier:
        return oauth_error(res, 400, "invalid_grant", "code_verifier or verifier is not needed.");
    }
    code.used = true;
    User& user = *state.user(code.user_id);
    ++user.code_exchanges;
    const Grant& grant = state.create_grant(Provider::google, user.id, client.id, code.scopes);
    int ttl = state.config.access_token_ttl;
    Json out = {{"access_token", state.issue_access_token(grant, grant.scopes)}, {"expires_in", ttl}};
    // A refresh token comes only with access_type=offline, and only the first
    // time (or again with prompt=consent).
    std::string offline_key = user.id + "|" + client.id;
    if (code.offline && (code.force_consent || !state.offline_granted.count(offline_key))) {
        out["refresh_token"] = state.issue_refresh_token(grant);
        state.offline_granted.insert(offline_key);
    }
    out["scope"] = join_scopes(grant.scopes);
    out["token_type"] = "Bearer";
    if (wants_id_token(grant.scopes)) out["id_token"] = id_token(grant, user, code.nonce, ttl);
    send_json(res, 200, out);
}

void refresh(State& state, const Client& client, const httplib::Request& req, httplib::Response& res) {
    std::string value = param(req, "refresh_token");
    state.remember_secret(value);
    if (value.empty()) return oauth_error(res, 400, "invalid_request", "Missing required parameter: refresh_token");
    auto it = state.refresh_tokens.find(value);
    const Grant* grant = nullptr;
    if (it != state.refresh_tokens.end() && !it->second.evicted) grant = &state.grants.at(it->second.grant_id);
    if (!grant || grant->revoked || grant->provider != Provider::google)
        return oauth_error(res, 400, "invalid_grant", "Token has been expired or revoked.");
    if (grant->client_id != client.id) return oauth_error(res, 401, "unauthorized_client", "Unauthorized");
    User& user = *state.user(grant->user_id);
    ++user.refreshes;
    int ttl = state.config.access_token_ttl;
    // No refresh_token in the answer: Google does not rotate.
    Json out = {{"access_token", state.issue_access_token(*grant, grant->scopes)},
                {"expires_in", ttl},
                {"scope", join_scopes(grant->scopes)},
                {"token_type", "Bearer"}};
    if (wants_id_token(grant->scopes)) out["id_token"] = id_token(*grant, user, "", ttl);
    send_json(res, 200, out);
}

void token(State& state, const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(state.mu);
    const Client* client = authenticate_client(state, req, res);
    if (!client) return;
    std::string grant_type = param(req, "grant_type");
    if (grant_type == "authorization_code") return exchange_code(state, *client, req, res);
    if (grant_type == "refresh_token") return refresh(state, *client, req, res);
    if (grant_type.empty()) return oauth_error(res, 400, "invalid_request", "Missing required parameter: grant_type");
    oauth_error(res, 400, "unsupported_grant_type", "Invalid grant_type: " + grant_type);
}

// Revoking either token of a grant revokes both.
void revoke(State& state, const httplib::Request& req, httplib::Response& res) {
    std::string value = param(req, "token");
    std::lock_guard lock(state.mu);
    std::string grant_id;
    if (const AccessToken* access = state.live_access_token(value, Provider::google)) {
        grant_id = access->grant_id;
    } else if (auto it = state.refresh_tokens.find(value); it != state.refresh_tokens.end() && !it->second.evicted) {
        const Grant& grant = state.grants.at(it->second.grant_id);
        if (!grant.revoked && grant.provider == Provider::google) grant_id = grant.id;
    }
    if (grant_id.empty()) return oauth_error(res, 400, "invalid_token", "Token expired or revoked");
    state.revoke_grant(grant_id);
    send_json(res, 200, Json::object());
}

// Claims follow the granted scopes: `sub` always, email with email, name with profile.
void userinfo(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::google_userinfo);
    if (!who) return;
    Json out = {{"sub", who->user_id}};
    if (grants_profile(who->scopes)) out["name"] = who->name;
    if (grants_email(who->scopes)) {
        out["email"] = who->email;
        out["email_verified"] = true;
    }
    send_json(res, 200, out);
}

}  // namespace

void register_google_oauth(httplib::Server& server, State& state) {
    provider_get(server, "/google/o/oauth2/v2/auth",
                 [&state](const auto& req, auto& res) { authorize(state, req, res); });
    provider_post(server, "/google/token", [&state](const auto& req, auto& res) { token(state, req, res); });
    provider_post(server, "/google/revoke", [&state](const auto& req, auto& res) { revoke(state, req, res); });
    provider_get(server, "/google/v1/userinfo", [&state](const auto& req, auto& res) { userinfo(state, req, res); });
}

}  // namespace emu
