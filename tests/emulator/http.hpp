// Small request/response helpers shared by every route file.
#pragma once

#include "provider_errors.hpp"

#include <httplib.h>

#include <optional>
#include <string>
#include <utility>

namespace emu {

// A query or form-body parameter ("" when absent). httplib merges both into
// `params`, which matches the providers: they accept either.
std::string param(const httplib::Request& req, const char* name);

void send_json(httplib::Response& res, int status, const Json& body);
// A human-facing page (what a browser shows at the authorize endpoint).
void send_html(httplib::Response& res, int status, const std::string& title, const std::string& message);
// 302 to `location`.
void redirect(httplib::Response& res, const std::string& location);

// Appends form-encoded params to a URI's query (or fragment when `fragment`),
// keeping any query the URI already has.
std::string append_params(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params,
                          bool fragment = false);

// The token of an "Authorization: Bearer …" header.
std::optional<std::string> bearer_token(const httplib::Request& req);
// (user, password) of an "Authorization: Basic …" header, URL-decoded as RFC 6749 §2.3.1 asks.
std::optional<std::pair<std::string, std::string>> basic_credentials(const httplib::Request& req);

std::string html_escape(const std::string& text);

}  // namespace emu
