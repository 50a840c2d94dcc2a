#include "provider_errors.hpp"

#include "crypto/crypto.hpp"
#include "http.hpp"

#include <ctime>

namespace emu {
namespace {

std::string format_time(std::time_t t, const char* format) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string format_now(const char* format) { return format_time(std::time(nullptr), format); }

}  // namespace

std::string http_date_now() { return format_now("%a, %d %b %Y %H:%M:%S GMT"); }
std::string http_date(std::int64_t unix_ms) {
    return format_time(std::time_t(unix_ms / 1000), "%a, %d %b %Y %H:%M:%S GMT");
}
std::string iso_utc_now() { return format_now("%Y-%m-%dT%H:%M:%S"); }

Json google_api_error_body(int status, std::string_view reason, std::string_view message, std::string_view domain) {
    Json error = {{"domain", domain}, {"reason", reason}, {"message", message}};
    return {{"error", {{"errors", Json::array({error})}, {"code", status}, {"message", message}}}};
}

Json google_default_error(int status) {
    switch (status) {
    case 400: return google_api_error_body(400, "badRequest", "Bad Request");
    case 401: return google_api_error_body(401, "authError", "Invalid Credentials");
    case 403: return google_api_error_body(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits");
    case 404: return google_api_error_body(404, "notFound", "Not Found");
    case 409: return google_api_error_body(409, "duplicate", "The requested identifier already exists.");
    case 410:
        return google_api_error_body(410, "fullSyncRequired",
                                     "Sync token is no longer valid, a full sync is required.");
    case 412: return google_api_error_body(412, "conditionNotMet", "Precondition Failed");
    case 429: return google_api_error_body(429, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits");
    case 503: return google_api_error_body(503, "backendError", "The service is currently unavailable.");
    default:
        if (status >= 500) return google_api_error_body(status, "backendError", "Backend Error");
        return google_api_error_body(status, "unknown", "Error");
    }
}

Json graph_error_body(std::string_view code, std::string_view message, std::string_view client_request_id) {
    std::string request_id = calsync::random_uuid();
    Json inner = {{"date", iso_utc_now()},
                  {"request-id", request_id},
                  {"client-request-id", client_request_id.empty() ? request_id : std::string(client_request_id)}};
    return {{"error", {{"code", code}, {"message", message}, {"innerError", inner}}}};
}

Json graph_default_error(int status) {
    switch (status) {
    case 400: return graph_error_body("BadRequest", "Invalid request.");
    case 401: return graph_error_body("InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
    case 403: return graph_error_body("ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    case 404: return graph_error_body("ErrorItemNotFound", "The specified object was not found in the store.");
    case 410: return graph_error_body("SyncStateNotFound", "The sync state generation is not found.");
    case 429: return graph_error_body("TooManyRequests", "Application is over its MailboxConcurrency limit.");
    case 500:
        return graph_error_body("InternalServerError", "An internal server error occurred. The operation failed.");
    case 502: return graph_error_body("BadGateway", "Bad Gateway");
    case 503: return graph_error_body("ServiceNotAvailable", "The service is temporarily unavailable.");
    case 504: return graph_error_body("GatewayTimeout", "Gateway Timeout");
    default: return graph_error_body("UnknownError", "");
    }
}

Json aad_error_body(std::string_view error, int aadsts, std::string_view message) {
    std::string trace_id = calsync::random_uuid();
    std::string correlation_id = calsync::random_uuid();
    std::string timestamp = format_now("%Y-%m-%d %H:%M:%SZ");
    std::string description = "AADSTS" + std::to_string(aadsts) + ": " + std::string(message) +
                              " Trace ID: " + trace_id + " Correlation ID: " + correlation_id +
                              " Timestamp: " + timestamp;
    return {{"error", error},
            {"error_description", description},
            {"error_codes", Json::array({aadsts})},
            {"timestamp", timestamp},
            {"trace_id", trace_id},
            {"correlation_id", correlation_id},
            {"error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(aadsts)}};
}

Json aad_default_error(int status) {
    if (status == 429)
        return aad_error_body("temporarily_unavailable", 50196,
                              "The server terminated an operation because it encountered a client request loop.");
    if (status >= 500)
        return aad_error_body("temporarily_unavailable", 90033, "A transient error has occurred. Please try again.");
    return aad_error_body("invalid_request", 90014, "The request is invalid.");
}

void send_aad_error(httplib::Response& res, int status, std::string_view error, int aadsts, std::string_view message) {
    send_json(res, status, aad_error_body(error, aadsts, message));
}

void send_graph_error(const httplib::Request& req, httplib::Response& res, int status, std::string_view code,
                      std::string_view message) {
    Json body = graph_error_body(code, message, req.get_header_value("client-request-id"));
    res.set_header("request-id", body["error"]["innerError"]["request-id"].get<std::string>());
    res.set_header("client-request-id", body["error"]["innerError"]["client-request-id"].get<std::string>());
    send_json(res, status, body);
}

}  // namespace emu
