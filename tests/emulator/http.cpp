#include "http.hpp"

#include "util/encoding.hpp"

#include <strings.h>

namespace emu {

std::string param(const httplib::Request& req, const char* name) {
    return req.has_param(name) ? req.get_param_value(name) : std::string();
}

void send_json(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_html(httplib::Response& res, int status, const std::string& title, const std::string& message) {
    res.status = status;
    res.set_content("<!DOCTYPE html>\n<html><head><title>" + html_escape(title) + "</title></head><body><h1>" +
                        html_escape(title) + "</h1><p>" + html_escape(message) + "</p></body></html>\n",
                    "text/html; charset=utf-8");
}

void redirect(httplib::Response& res, const std::string& location) {
    res.status = 302;
    res.set_header("Location", location);
    res.set_header("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
}

std::string append_params(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params,
                          bool fragment) {
    std::string encoded = calsync::form_encode(params);
    if (fragment) return uri + "#" + encoded;
    return uri + (uri.find('?') == std::string::npos ? "?" : "&") + encoded;
}

std::optional<std::string> bearer_token(const httplib::Request& req) {
    std::string value = req.get_header_value("Authorization");
    if (value.size() < 7 || strncasecmp(value.c_str(), "Bearer ", 7) != 0) return std::nullopt;
    std::string token = value.substr(7);
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
    if (token.empty()) return std::nullopt;
    return token;
}

std::optional<std::pair<std::string, std::string>> basic_credentials(const httplib::Request& req) {
    std::string value = req.get_header_value("Authorization");
    if (value.size() < 6 || strncasecmp(value.c_str(), "Basic ", 6) != 0) return std::nullopt;
    auto decoded = calsync::base64_decode(value.substr(6));
    if (!decoded) return std::nullopt;
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    return std::make_pair(calsync::url_decode(decoded->substr(0, colon)),
                          calsync::url_decode(decoded->substr(colon + 1)));
}

std::string html_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace emu
