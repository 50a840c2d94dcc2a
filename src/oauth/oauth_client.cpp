#include "oauth/oauth_client.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/encoding.hpp"

namespace calsync {
namespace {

using json = nlohmann::json;

constexpr const char* kGraphPrefix = "https://graph.microsoft.com/";

const std::vector<std::string> kGoogleScopes = {"https://www.googleapis.com/auth/calendar.readonly", "openid", "email"};
const std::vector<std::string> kMicrosoftScopes = {"offline_access", "Calendars.Read", "User.Read"};

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

json parse_json(const HttpResponse& r, const std::string& what) {
    try {
        return json::parse(r.body);
    } catch (const json::exception&) {
        throw ProviderError(what + ": HTTP " + std::to_string(r.status) + " with a body that is not JSON", r.status);
    }
}

// The provider's short error code, and a description safe to show.
std::pair<std::string, std::string> oauth_error(const HttpResponse& r) {
    try {
        json j = json::parse(r.body);
        if (j.contains("error") && j["error"].is_string()) {
            std::string desc = j.value("error_description", "");
            if (desc.size() > 200) desc = desc.substr(0, 200) + "…";
            return {j["error"].get<std::string>(), desc};
        }
        if (j.contains("error") && j["error"].is_object())
            return {j["error"].value("code", j["error"].value("status", "error")), j["error"].value("message", "")};
    } catch (const json::exception&) {
    }
    return {"http_" + std::to_string(r.status), ""};
}

[[noreturn]] void throw_oauth_error(const HttpResponse& r, const std::string& what) {
    auto [code, desc] = oauth_error(r);
    std::string msg = what + ": " + code + (desc.empty() ? "" : " (" + desc + ")");
    if (code == "invalid_grant") throw InvalidGrant(msg, r.status, code);
    if (r.status == 429 || r.status >= 500) throw TemporaryError(msg);
    throw ProviderError(msg, r.status, code);
}

}  // namespace

std::vector<std::string> normalize_scopes(const std::string& scope) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < scope.size()) {
        size_t j = scope.find(' ', i);
        if (j == std::string::npos) j = scope.size();
        std::string s = scope.substr(i, j - i);
        if (s.rfind(kGraphPrefix, 0) == 0) s = s.substr(std::string(kGraphPrefix).size());
        if (!s.empty()) out.push_back(s);
        i = j + 1;
    }
    return out;
}

OAuthClient::OAuthClient(Provider provider, const Config& config, HttpClient& http, RetryPolicy retry)
    : provider_(provider), config_(config), http_(http), retry_(retry) {
    const std::string& id = provider == Provider::google ? config.google.client_id : config.microsoft.client_id;
    if (id.empty())
        throw ConfigError(std::string(to_string(provider)) + ".client-id is not configured");
}

std::vector<std::string> OAuthClient::requested_scopes() const {
    return provider_ == Provider::google ? kGoogleScopes : kMicrosoftScopes;
}

std::vector<std::string> OAuthClient::missing_scopes(const std::vector<std::string>& granted) const {
    // Only what calsync needs to work: reading calendars and the account identity.
    // offline_access never appears in Microsoft's granted list; a missing refresh token shows it instead.
    std::vector<std::string> needed;
    if (provider_ == Provider::google)
        needed = {"https://www.googleapis.com/auth/calendar.readonly", "email"};
    else
        needed = {"Calendars.Read", "User.Read"};
    std::vector<std::string> missing;
    for (const auto& s : needed) {
        bool have = std::any_of(granted.begin(), granted.end(), [&](const std::string& g) {
            return g == s || (s == "email" && g == "https://www.googleapis.com/auth/userinfo.email");
        });
        if (!have) missing.push_back(s);
    }
    return missing;
}

std::string OAuthClient::token_url() const {
    if (provider_ == Provider::google) return config_.google.token_url;
    return config_.microsoft.authority_url + "/" + config_.microsoft.tenant + "/oauth2/v2.0/token";
}

void OAuthClient::add_client_auth(std::vector<std::pair<std::string, std::string>>& form) const {
    const auto& id = provider_ == Provider::google ? config_.google.client_id : config_.microsoft.client_id;
    const auto& secret = provider_ == Provider::google ? config_.google.client_secret : config_.microsoft.client_secret;
    form.emplace_back("client_id", id);
    // A public Microsoft client must not send a secret at all.
    if (!secret.empty()) form.emplace_back("client_secret", secret.reveal());
}

std::string OAuthClient::authorization_url(const std::string& redirect_uri, const Secret& state,
                                           const std::string& code_challenge) const {
    Params q;
    std::string base;
    if (provider_ == Provider::google) {
        base = config_.google.auth_url;
        q = {{"client_id", config_.google.client_id}, {"redirect_uri", redirect_uri}, {"response_type", "code"},
             {"scope", join(kGoogleScopes, " ")}, {"access_type", "offline"}, {"prompt", "consent"},
             {"include_granted_scopes", "false"}};
    } else {
        base = config_.microsoft.authority_url + "/" + config_.microsoft.tenant + "/oauth2/v2.0/authorize";
        q = {{"client_id", config_.microsoft.client_id}, {"redirect_uri", redirect_uri}, {"response_type", "code"},
             {"response_mode", "query"}, {"scope", join(kMicrosoftScopes, " ")}, {"prompt", "select_account"}};
    }
    q.emplace_back("state", state.reveal());
    q.emplace_back("code_challenge", code_challenge);
    q.emplace_back("code_challenge_method", "S256");
    return base + (base.find('?') == std::string::npos ? "?" : "&") + form_encode(q);
}

HttpResponse OAuthClient::post_form(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form) {
    HttpRequest req{"POST", url, {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
                    form_encode(form)};
    return send_with_retry(http_, req, retry_);
}

TokenResponse OAuthClient::parse_tokens(const HttpResponse& r, const char* what) {
    std::string context = std::string(to_string(provider_)) + ": " + what;
    if (!r.ok()) throw_oauth_error(r, context);
    json j = parse_json(r, context);
    if (!j.contains("access_token") || !j["access_token"].is_string())
        throw ProviderError(context + ": the response has no access_token", r.status);
    TokenResponse t;
    t.access_token = Secret(j["access_token"].get<std::string>());
    if (j.contains("expires_in")) {
        // Microsoft has sent it as a string in some versions.
        const auto& e = j["expires_in"];
        if (e.is_number_integer()) t.expires_in = e.get<int64_t>();
        else if (e.is_string() && !e.get<std::string>().empty() &&
                 e.get<std::string>().find_first_not_of("0123456789") == std::string::npos &&
                 e.get<std::string>().size() < 10)
            t.expires_in = std::stoll(e.get<std::string>());
        else throw ProviderError(context + ": expires_in is not a number of seconds", r.status);
    }
    if (j.contains("refresh_token") && j["refresh_token"].is_string())
        t.refresh_token = Secret(j["refresh_token"].get<std::string>());
    t.granted_scopes = normalize_scopes(j.value("scope", ""));
    return t;
}

TokenResponse OAuthClient::exchange_code(const Secret& code, const Secret& verifier, const std::string& redirect_uri) {
    std::vector<std::pair<std::string, std::string>> form;
    add_client_auth(form);
    form.emplace_back("grant_type", "authorization_code");
    form.emplace_back("code", code.reveal());
    form.emplace_back("code_verifier", verifier.reveal());
    form.emplace_back("redirect_uri", redirect_uri);
    if (provider_ == Provider::microsoft) form.emplace_back("scope", join(kMicrosoftScopes, " "));
    return parse_tokens(post_form(token_url(), form), "code exchange");
}

TokenResponse OAuthClient::refresh(const Secret& refresh_token) {
    std::vector<std::pair<std::string, std::string>> form;
    add_client_auth(form);
    form.emplace_back("grant_type", "refresh_token");
    form.emplace_back("refresh_token", refresh_token.reveal());
    if (provider_ == Provider::microsoft) form.emplace_back("scope", join(kMicrosoftScopes, " "));
    return parse_tokens(post_form(token_url(), form), "token refresh");
}

DeviceAuthorization OAuthClient::start_device_flow() {
    if (provider_ != Provider::microsoft)
        throw UsageError("google does not allow Calendar scopes in the device flow; use the browser flow");
    std::vector<std::pair<std::string, std::string>> form = {{"client_id", config_.microsoft.client_id},
                                                             {"scope", join(kMicrosoftScopes, " ")}};
    auto r = post_form(config_.microsoft.authority_url + "/" + config_.microsoft.tenant + "/oauth2/v2.0/devicecode", form);
    if (!r.ok()) throw_oauth_error(r, "microsoft: device code request");
    json j = parse_json(r, "microsoft: device code request");
    DeviceAuthorization d;
    d.device_code = Secret(j.value("device_code", ""));
    d.user_code = j.value("user_code", "");
    d.verification_uri = j.value("verification_uri", "");
    d.message = j.value("message", "");
    d.expires_in = j.value("expires_in", int64_t(900));
    d.interval = j.value("interval", int64_t(5));
    if (d.device_code.empty() || d.user_code.empty())
        throw ProviderError("microsoft: device code response lacks device_code or user_code", r.status);
    return d;
}

DevicePoll OAuthClient::poll_device(const Secret& device_code) {
    std::vector<std::pair<std::string, std::string>> form;
    add_client_auth(form);
    form.emplace_back("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
    form.emplace_back("device_code", device_code.reveal());
    auto r = post_form(token_url(), form);
    if (r.ok()) return {parse_tokens(r, "device code exchange"), ""};
    auto [code, desc] = oauth_error(r);
    if (code == "authorization_pending" || code == "slow_down") return {std::nullopt, code};
    throw_oauth_error(r, "microsoft: device sign-in");
}

std::string OAuthClient::identity_url() const {
    return provider_ == Provider::google ? config_.google.userinfo_url : config_.microsoft.graph_url + "/me";
}

AccountInfo OAuthClient::account(const Secret& access_token) {
    HttpRequest req{"GET", identity_url(), {{"Authorization", "Bearer " + access_token.reveal()}, {"Accept", "application/json"}}, ""};
    auto r = send_with_retry(http_, req, retry_);
    std::string context = std::string(to_string(provider_)) + ": reading the account identity";
    if (!r.ok()) throw_oauth_error(r, context);
    json j = parse_json(r, context);
    AccountInfo a;
    if (provider_ == Provider::google) {
        a.id = j.value("sub", "");
        a.email = j.value("email", "");
        a.name = j.value("name", "");
    } else {
        a.id = j.value("id", "");
        a.email = j.contains("mail") && j["mail"].is_string() ? j["mail"].get<std::string>() : "";
        if (a.email.empty()) a.email = j.value("userPrincipalName", "");
        a.name = j.contains("displayName") && j["displayName"].is_string() ? j["displayName"].get<std::string>() : "";
    }
    if (a.id.empty() || a.email.empty()) throw ProviderError(context + ": no account id or email in the response", r.status);
    return a;
}

bool OAuthClient::revoke(const Secret& token) {
    if (provider_ != Provider::google) return false;
    auto r = post_form(config_.google.revoke_url, {{"token", token.reveal()}});
    if (r.ok()) return true;
    auto [code, desc] = oauth_error(r);
    if (code == "invalid_token") return true;  // already revoked or expired: the goal is met
    throw_oauth_error(r, "google: token revocation");
}

}  // namespace calsync
