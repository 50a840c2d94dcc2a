#include "oauth.hpp"

#include "crypto/crypto.hpp"
#include "util/encoding.hpp"

#include <algorithm>
#include <cctype>

namespace emu {
namespace {

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

// True if `uri` is scheme_host followed by an optional :port, then nothing,
// '/…' or '?…'. Fills `rest` with what follows the port.
bool loopback_with(const std::string& uri, std::string_view scheme_host, std::string* rest = nullptr) {
    if (!starts_with(uri, scheme_host)) return false;
    size_t i = scheme_host.size();
    if (i < uri.size() && uri[i] == ':') {
        size_t digits = i + 1;
        while (digits < uri.size() && std::isdigit(static_cast<unsigned char>(uri[digits]))) ++digits;
        if (digits == i + 1) return false;
        i = digits;
    }
    if (i < uri.size() && uri[i] != '/' && uri[i] != '?') return false;
    if (uri.find('#') != std::string::npos) return false;
    if (rest) *rest = uri.substr(i);
    return true;
}

// "http://localhost:1234/cb" -> "http://localhost/cb"; other URIs unchanged.
std::string without_loopback_port(const std::string& uri) {
    for (std::string_view host : {"http://localhost", "http://127.0.0.1"}) {
        std::string rest;
        if (loopback_with(uri, host, &rest)) return std::string(host) + rest;
    }
    return uri;
}

}  // namespace

bool google_redirect_allowed(const Client& client, const std::string& uri) {
    if (loopback_with(uri, "http://127.0.0.1") || loopback_with(uri, "http://[::1]")) return true;
    return std::find(client.redirect_uris.begin(), client.redirect_uris.end(), uri) != client.redirect_uris.end();
}

bool microsoft_redirect_allowed(const Client& client, const std::string& uri) {
    if (loopback_with(uri, "http://localhost") || loopback_with(uri, "http://127.0.0.1")) return true;
    std::string wanted = without_loopback_port(uri);
    return std::any_of(client.redirect_uris.begin(), client.redirect_uris.end(),
                       [&](const std::string& registered) { return without_loopback_port(registered) == wanted; });
}

bool valid_challenge_method(const std::string& method) { return method == "S256" || method == "plain"; }

bool valid_pkce_string(const std::string& value) {
    if (value.size() < 43 || value.size() > 128) return false;
    return std::all_of(value.begin(), value.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; });
}

PkceCheck check_pkce(const AuthCode& code, const std::string& verifier) {
    if (code.challenge.empty()) return verifier.empty() ? PkceCheck::ok : PkceCheck::unexpected_verifier;
    if (verifier.empty()) return PkceCheck::missing_verifier;
    std::string expected =
        code.challenge_method == "S256" ? calsync::base64url_encode(calsync::sha256(verifier)) : verifier;
    return calsync::constant_time_equal(expected, code.challenge) ? PkceCheck::ok : PkceCheck::mismatch;
}

Scopes consented_scopes(const Consent& consent, const Scopes& requested) {
    if (!consent.granted_scopes) return requested;
    Scopes granted;
    for (const auto& scope : requested) {
        if (has_scope(*consent.granted_scopes, scope)) granted.push_back(scope);
    }
    return granted;
}

}  // namespace emu
