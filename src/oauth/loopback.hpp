// The loopback redirect listener of the installed-app flow (RFC 8252 §7.3):
// an HTTP server on 127.0.0.1 that waits for the provider's redirect to
// /callback. Other requests get 404; a callback the handler refuses (bad
// state) gets an error page and the listener keeps waiting.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "util/encoding.hpp"

namespace calsync {

struct CallbackReply {
    int status = 200;
    std::string html;
    bool done = false;  // stop listening after this reply
};

class LoopbackListener {
public:
    // `listen` is "HOST:PORT"; port 0 picks a free one. Only loopback hosts.
    explicit LoopbackListener(const std::string& listen);
    ~LoopbackListener();

    int port() const { return port_; }
    const std::string& host() const { return host_; }

    // Serves until a reply says done or `timeout` passes (returns false then).
    bool serve(const std::function<CallbackReply(const Params&)>& on_callback, std::chrono::seconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string host_;
    int port_ = 0;
};

// A small self-contained HTML page for the browser tab.
std::string callback_page(const std::string& title, const std::string& message);

}  // namespace calsync
