// The libcurl implementation of HttpClient: TLS verification on, connect and
// total timeouts, one easy handle per client reused for keep-alive. Not
// thread-safe: use one client per thread.
#pragma once

#include <memory>

#include "http/http.hpp"

namespace calsync {

struct CurlOptions {
    long connect_timeout_seconds = 10;
    long total_timeout_seconds = 60;
    std::string user_agent = "calsync/0.1";
};

class CurlHttpClient : public HttpClient {
public:
    explicit CurlHttpClient(CurlOptions options = {});
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    HttpResponse send(const HttpRequest& request) override;

private:
    CurlOptions options_;
    void* curl_;  // CURL*
};

}  // namespace calsync
