// HTTP requests to the providers. `HttpClient` is the seam: the real one is
// libcurl (http/curl_client.cpp); tests may swap in a fake. Transport failures
// throw NetworkError; HTTP error statuses are returned, not thrown.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"

namespace calsync {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
};

struct HttpResponse {
    long status = 0;
    Headers headers;
    std::string body;

    // Case-insensitive lookup of the first header with that name.
    std::optional<std::string> header(std::string_view name) const;
    bool ok() const { return status >= 200 && status < 300; }
};

// Connection refused, DNS failure, timeout, TLS failure: no HTTP status.
class NetworkError : public TemporaryError {
public:
    using TemporaryError::TemporaryError;
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // One attempt. Throws NetworkError on transport failure.
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

// Copy of `url` fit for logs: the values of credential-bearing query
// parameters (token, code, state, client_secret, …) replaced by "***".
std::string redact_url(const std::string& url);

}  // namespace calsync
