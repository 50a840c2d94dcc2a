#include "http/http.hpp"

#include <cctype>
#include <set>

#include "util/encoding.hpp"

namespace calsync {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (k.size() != name.size()) continue;
        bool same = true;
        for (size_t i = 0; i < k.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
        if (same) return v;
    }
    return std::nullopt;
}

std::string redact_url(const std::string& url) {
    static const std::set<std::string> sensitive = {
        "token", "code", "state", "client_secret", "code_verifier", "refresh_token", "access_token",
        "device_code", "validationToken", "sig", "id_token", "assertion", "clientState"};
    auto q = url.find('?');
    if (q == std::string::npos) return url;
    std::string out = url.substr(0, q + 1);
    std::string_view rest(url);
    rest.remove_prefix(q + 1);
    bool first = true;
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view part = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (!first) out += '&';
        first = false;
        auto eq = part.find('=');
        std::string key = url_decode(part.substr(0, eq));
        if (eq != std::string_view::npos && sensitive.count(key)) {
            out.append(part.substr(0, eq)).append("=***");
        } else {
            out.append(part);
        }
    }
    return out;
}

}  // namespace calsync
