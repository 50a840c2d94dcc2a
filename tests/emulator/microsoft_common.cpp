#include "microsoft_common.hpp"

#include "crypto/crypto.hpp"
#include "http.hpp"
#include "mint.hpp"
#include "util/encoding.hpp"

namespace emu {
namespace {

constexpr std::string_view kGraphResource = "https://graph.microsoft.com/";

std::string id_token(const Grant& grant, const User& user, const std::string& nonce, int ttl) {
    Millis now = now_ms() / 1000;
    Json claims = {{"aud", grant.client_id},
                   {"iss", "https://login.microsoftonline.com/" + std::string(kMicrosoftTenantId) + "/v2.0"},
                   {"iat", now},
                   {"nbf", now},
                   {"exp", now + ttl}};
    if (has_scope(grant.scopes, "profile")) {
        claims["name"] = user.name;
        claims["preferred_username"] = user.email;
    }
    if (has_scope(grant.scopes, "email")) claims["email"] = user.email;
    if (!nonce.empty()) claims["nonce"] = nonce;
    claims["oid"] = user.id;
    // `sub` is pairwise: the same user has a different one in each app.
    claims["sub"] = calsync::base64url_encode(calsync::sha256(user.id + "|" + grant.client_id));
    claims["tid"] = kMicrosoftTenantId;
    claims["ver"] = "2.0";
    return mint::jwt_like(claims);
}

}  // namespace

bool is_oidc_scope(const std::string& scope) {
    return scope == "openid" || scope == "profile" || scope == "email" || scope == "offline_access";
}

Scopes normalize_microsoft_scopes(const Scopes& scopes) {
    Scopes out;
    for (const auto& scope : scopes) {
        std::string full = scope;
        if (!is_oidc_scope(scope) && scope.find("://") == std::string::npos) full = std::string(kGraphResource) + scope;
        if (!has_scope(out, full)) out.push_back(full);
    }
    return out;
}

const Client* authenticate_microsoft_client(State& state, const httplib::Request& req, httplib::Response& res,
                                            const std::string& tenant) {
    std::string id = param(req, "client_id");
    std::string secret = param(req, "client_secret");
    if (auto basic = basic_credentials(req)) std::tie(id, secret) = *basic;
    state.remember_secret(secret);
    auto refuse = [&res](int status, const char* error, int code, const std::string& message) -> const Client* {
        send_aad_error(res, status, error, code, message);
        return nullptr;
    };
    if (id.empty())
        return refuse(400, "invalid_request", 900144,
                      "The request body must contain the following parameter: 'client_id'.");
    const Client* client = state.find_client(Provider::microsoft, id);
    if (!client)
        return refuse(400, "unauthorized_client", 700016,
                      "Application with identifier '" + id + "' was not found in the directory '" + tenant +
                          "'. This can happen if the application has not been installed by the administrator of the "
                          "tenant or consented to by any user in the tenant.");
    if (!client->secret && !secret.empty())
        return refuse(401, "invalid_client", 700025,
                      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
    if (client->secret && secret.empty())
        return refuse(401, "invalid_client", 7000218,
                      "The request body must contain the following parameter: 'client_assertion' or "
                      "'client_secret'.");
    if (client->secret && secret != *client->secret)
        return refuse(401, "invalid_client", 7000215,
                      "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                      "secret value, not the client secret ID, for a secret added to app '" +
                          id + "'.");
    return client;
}

Json microsoft_token_response(State& state, const Grant& grant, const Scopes& scopes, bool with_refresh_token,
                              const std::string& nonce) {
    int ttl = state.config.access_token_ttl;
    Json out = {{"token_type", "Bearer"},
                {"scope", join_scopes(scopes)},
                {"expires_in", ttl},
                {"ext_expires_in", ttl},
                {"access_token", state.issue_access_token(grant, scopes)}};
    if (with_refresh_token) out["refresh_token"] = state.issue_refresh_token(grant);
    if (has_scope(scopes, "openid")) {
        const User* user = state.user(grant.user_id);
        if (user) out["id_token"] = id_token(grant, *user, nonce, ttl);
    }
    return out;
}

}  // namespace emu
