// calsync-webhook: the CGI receiver for provider push notifications. All
// logic lives in calsync_webhook (src/webhook/).
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "webhook/cgi.hpp"

int main(int, char**, char** envp) {
    // stdout is the HTTP response; logs go to stderr, the web server's error log.
    auto logger = spdlog::stderr_logger_st("calsync-webhook");
    logger->set_pattern("%n: [%l] %v");
    spdlog::set_default_logger(logger);

    calsync::Environment env;
    for (char** e = envp; *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
    std::ios::sync_with_stdio(false);
    return calsync::run_cgi(env, std::cin, std::cout);
}
