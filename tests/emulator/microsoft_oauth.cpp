// Microsoft identity platform v2.0 (PROTOCOL.md §4): the authorize endpoint
// and the token endpoint's code and refresh grants. The device flow lives in
// microsoft_device.cpp.
#include "crypto/crypto.hpp"
#include "http.hpp"
#include "microsoft_common.hpp"
#include "middleware.hpp"
#include "oauth.hpp"
#include "routes.hpp"

namespace emu {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

void error_page(httplib::Response& res, int aadsts, const std::string& message) {
    send_html(res, 400, "Sign in to your account", "AADSTS" + std::to_string(aadsts) + ": " + message);
}

// Delivers the authorize answer the way response_mode asks.
void answer(httplib::Response& res, const std::string& redirect_uri, const std::string& mode, const Params& params) {
    if (mode == "form_post") {
        std::string inputs;
        for (const auto& [name, value] : params)
            inputs +=
                "<input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" + html_escape(value) + "\"/>";
        res.status = 200;
        res.set_content("<html><body onload=\"document.forms[0].submit()\"><form method=\"POST\" action=\"" +
                            html_escape(redirect_uri) + "\">" + inputs + "</form></body></html>",
                        "text/html; charset=utf-8");
        return;
    }
    redirect(res, append_params(redirect_uri, params, mode == "fragment"));
}

void answer_error(httplib::Response& res, const std::string& redirect_uri, const std::string& mode,
                  const std::string& state_param, const std::string& error, int aadsts, const std::string& message) {
    Params params = {
        {"error", error},
        {"error_description", aad_error_body(error, aadsts, message)["error_description"].get<std::string>()}};
    if (!state_param.empty()) params.emplace_back("state", state_param);
    answer(res, redirect_uri, mode, params);
}

void authorize(State& state, const httplib::Request& req, httplib::Response& res) {
    std::string tenant = req.matches[1];
    std::string client_id = param(req, "client_id");
    std::string redirect_uri = param(req, "redirect_uri");
    std::string state_param = param(req, "state");
    std::lock_guard lock(state.mu);
    const Client* client = state.find_client(Provider::microsoft, client_id);
    if (!client)
        return error_page(
            res, 700016,
            "Application with identifier '" + client_id + "' was not found in the directory '" + tenant + "'.");
    if (redirect_uri.empty() || !microsoft_redirect_allowed(*client, redirect_uri))
        return error_page(res, 50011,
                          "The redirect URI '" + redirect_uri +
                              "' specified in the request does not match the redirect URIs configured "
                              "for the application '" +
                              client_id + "'.");
    std::string mode = param(req, "response_mode");
    if (mode.empty()) mode = "query";
    auto fail = [&](const std::string& error, int aadsts, const std::string& message) {
        answer_error(res, redirect_uri, mode == "form_post" || mode == "fragment" ? mode : "query", state_param, error,
                     aadsts, message);
    };
    if (mode != "query" && mode != "fragment" && mode != "form_post")
        return fail("invalid_request", 900144, "The value of 'response_mode' is not valid.");
    std::string response_type = param(req, "response_type");
    if (response_type.empty())
        return fail("invalid_request", 900144,
                    "The request body must contain the following parameter: 'response_type'.");
    if (response_type != "code")
        return fail("unsupported_response_type", 700054,
                    "response_type '" + response_type + "' is not enabled for the application.");
    Scopes requested = split_scopes(param(req, "scope"));
    if (requested.empty())
        return fail("invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
    std::string challenge = param(req, "code_challenge");
    std::string method = param(req, "code_challenge_method");
    if (!challenge.empty() && method.empty()) method = "plain";
    if (!method.empty() && !valid_challenge_method(method))
        return fail("invalid_request", 501490, "Invalid code_challenge_method: " + method);
    if (!challenge.empty() && !valid_pkce_string(challenge))
        return fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.");

    auto consent = state.consents.find(Provider::microsoft);
    if (consent == state.consents.end()) {
        if (param(req, "prompt") == "none")
            return fail("login_required", 50058, "A silent sign-in request was sent but no user is signed in.");
        return send_html(res, 200, "Sign in to your account",
                         "Sign in. (Emulator: no consent is configured; POST /_control/consent.)");
    }
    if (consent->second.error == "access_denied")
        return fail("access_denied", 65004, "User declined to consent to access the app.");
    if (!consent->second.error.empty())
        return fail(consent->second.error, 90014, "The authorization request was refused.");
    const User& user = state.ensure_user(Provider::microsoft, consent->second.email);
    AuthCode code;
    code.provider = Provider::microsoft;
    code.client_id = client->id;
    code.redirect_uri = redirect_uri;
    code.user_id = user.id;
    code.scopes = consented_scopes(consent->second, normalize_microsoft_scopes(requested));
    code.challenge = challenge;
    code.challenge_method = challenge.empty() ? "" : method;
    code.nonce = param(req, "nonce");
    Params params = {{"code", state.issue_code(std::move(code))}};
    if (!state_param.empty()) params.emplace_back("state", state_param);
    params.emplace_back("session_state", calsync::random_uuid());
    answer(res, redirect_uri, mode, params);
}

void exchange_code(State& state, const Client& client, const httplib::Request& req, httplib::Response& res) {
    std::string value = param(req, "code");
    std::string verifier = param(req, "code_verifier");
    state.remember_secret(value);
    state.remember_secret(verifier);
    if (value.empty())
        return send_aad_error(res, 400, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'code'.");
    auto it = state.codes.find(value);
    if (it == state.codes.end() || it->second.provider != Provider::microsoft)
        return send_aad_error(res, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    AuthCode& code = it->second;
    if (code.used)
        return send_aad_error(res, 400, "invalid_grant", 54005,
                              "OAuth2 Authorization code was already redeemed, please retry with a new valid code or "
                              "use an existing refresh token.");
    if (code.expires_ms <= now_ms())
        return send_aad_error(res, 400, "invalid_grant", 70008,
                              "The provided authorization code or refresh token has expired due to inactivity. Send a "
                              "new interactive authorization request for this user and resource.");
    if (code.client_id != client.id)
        return send_aad_error(res, 400, "invalid_grant", 70000, "Provided grant is invalid or malformed.");
    if (param(req, "redirect_uri") != code.redirect_uri)
        return send_aad_error(res, 400, "invalid_grant", 500112,
                              "The reply address '" + param(req, "redirect_uri") +
                                  "' does not match the reply address '" + code.redirect_uri +
                                  "' provided when requesting Authorization code.");
    PkceCheck pkce = check_pkce(code, verifier);
    if (pkce == PkceCheck::missing_verifier || pkce == PkceCheck::mismatch)
        return send_aad_error(res, 400, "invalid_grant", 501481,
                              "The Code_Verifier does not match the code_challenge supplied in the authorization "
                              "request.");
    code.used = true;
    User& user = *state.user(code.user_id);
    ++user.code_exchanges;
    const Grant& grant = state.create_grant(Provider::microsoft, user.id, client.id, code.scopes);
    send_json(
        res, 200,
        microsoft_token_response(state, grant, grant.scopes, has_scope(grant.scopes, "offline_access"), code.nonce));
}

// Every refresh returns a new refresh token. The old one stays valid, as
// documented, unless config.strict_rotation makes redeemed tokens fail.
void refresh(State& state, const Client& client, const httplib::Request& req, httplib::Response& res) {
    std::string value = param(req, "refresh_token");
    state.remember_secret(value);
    if (value.empty())
        return send_aad_error(res, 400, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'refresh_token'.");
    auto it = state.refresh_tokens.find(value);
    if (it == state.refresh_tokens.end() || state.grants.at(it->second.grant_id).provider != Provider::microsoft)
        return send_aad_error(res, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    RefreshToken& token = it->second;
    const Grant& grant = state.grants.at(token.grant_id);
    if (grant.revoked)
        return send_aad_error(res, 400, "invalid_grant", 50173,
                              "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                              "The user might have changed or reset their password.");
    if (grant.client_id != client.id)
        return send_aad_error(res, 400, "invalid_grant", 70000, "Provided grant is invalid or malformed.");
    if (token.redeemed && state.config.strict_rotation)
        return send_aad_error(res, 400, "invalid_grant", 70008,
                              "The provided authorization code or refresh token has expired due to inactivity. Send a "
                              "new interactive authorization request for this user and resource.");
    Scopes scopes = grant.scopes;
    if (std::string asked = param(req, "scope"); !asked.empty()) {
        scopes = normalize_microsoft_scopes(split_scopes(asked));
        for (const auto& scope : scopes) {
            if (!has_scope(grant.scopes, scope))
                return send_aad_error(res, 400, "invalid_grant", 65001,
                                      "The user or administrator has not consented to use the application with ID '" +
                                          client.id +
                                          "'. Send an interactive authorization request for this user "
                                          "and resource.");
        }
    }
    token.redeemed = true;
    ++state.user(grant.user_id)->refreshes;
    send_json(res, 200, microsoft_token_response(state, grant, scopes, true));
}

void token(State& state, const httplib::Request& req, httplib::Response& res) {
    std::string tenant = req.matches[1];
    std::lock_guard lock(state.mu);
    const Client* client = authenticate_microsoft_client(state, req, res, tenant);
    if (!client) return;
    std::string grant_type = param(req, "grant_type");
    if (grant_type == "authorization_code") return exchange_code(state, *client, req, res);
    if (grant_type == "refresh_token") return refresh(state, *client, req, res);
    if (grant_type == "urn:ietf:params:oauth:grant-type:device_code")
        return microsoft_device_token(state, *client, req, res);
    if (grant_type.empty())
        return send_aad_error(res, 400, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'grant_type'.");
    send_aad_error(res, 400, "unsupported_grant_type", 70003,
                   "The app requested an unsupported grant type '" + grant_type + "'.");
}

}  // namespace

void register_microsoft_oauth(httplib::Server& server, State& state) {
    const std::string base = "/microsoft/([^/]+)/oauth2/v2\\.0";
    provider_get(server, base + "/authorize", [&state](const auto& req, auto& res) { authorize(state, req, res); });
    provider_post(server, base + "/token", [&state](const auto& req, auto& res) { token(state, req, res); });
    provider_post(server, base + "/devicecode",
                  [&state](const auto& req, auto& res) { microsoft_device_authorization(state, req, res); });
    // Where a person would type the user code; tests use POST /_control/device instead.
    provider_get(server, "/microsoft/devicelogin", [](const auto&, auto& res) {
        send_html(res, 200, "Enter code", "Enter the code displayed on your app or device.");
    });
}

}  // namespace emu
