// Error bodies in each provider's own format, shared by the routes and by the
// fault injector so an injected 429 looks exactly like a real one.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace emu {

using Json = nlohmann::ordered_json;

// Google APIs (Calendar v3, userinfo v2 style):
// {"error":{"errors":[{"domain","reason","message"}],"code","message"}}.
Json google_api_error_body(int status, std::string_view reason, std::string_view message,
                           std::string_view domain = "global");
// The body Google sends for `status` when nothing more specific applies
// (429 rateLimitExceeded, 500 backendError, 410 fullSyncRequired, …).
Json google_default_error(int status);

// Microsoft Graph: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
Json graph_error_body(std::string_view code, std::string_view message, std::string_view client_request_id = "");
Json graph_default_error(int status);

// Microsoft identity platform (login.microsoftonline.com):
// {"error","error_description":"AADSTS…","error_codes","timestamp","trace_id","correlation_id","error_uri"}.
Json aad_error_body(std::string_view error, int aadsts, std::string_view message);
Json aad_default_error(int status);

// Writes an identity-platform error with the given HTTP status.
void send_aad_error(httplib::Response& res, int status, std::string_view error, int aadsts, std::string_view message);

// Writes a Graph error with the request-id headers Graph sends.
void send_graph_error(const httplib::Request& req, httplib::Response& res, int status, std::string_view code,
                      std::string_view message);

// RFC 1123 date of now ("Tue, 01 Jul 2025 10:00:00 GMT") and ISO-8601 UTC ("2025-07-01T10:00:00").
std::string http_date_now();
// RFC 1123 date of a Unix time in milliseconds.
std::string http_date(std::int64_t unix_ms);
std::string iso_utc_now();

}  // namespace emu
