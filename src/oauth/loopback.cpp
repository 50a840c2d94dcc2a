#include "oauth/loopback.hpp"

#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "errors.hpp"

namespace calsync {
namespace {

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

std::string callback_page(const std::string& title, const std::string& message) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>calsync: " + html_escape(title) +
           "</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
           "color:#222}h1{font-size:1.4rem}</style></head><body><h1>" +
           html_escape(title) + "</h1><p>" + html_escape(message) + "</p></body></html>\n";
}

struct LoopbackListener::Impl {
    httplib::Server server;
    std::thread thread;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
};

LoopbackListener::LoopbackListener(const std::string& listen) : impl_(std::make_unique<Impl>()) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw UsageError("--listen expects HOST:PORT, got '" + listen + "'");
    host_ = listen.substr(0, colon);
    std::string port_text = listen.substr(colon + 1);
    if (host_ != "127.0.0.1" && host_ != "localhost" && host_ != "::1" && host_ != "[::1]")
        throw UsageError("--listen must be a loopback address (127.0.0.1, localhost or [::1])");
    if (host_ == "[::1]") host_ = "::1";
    int port = 0;
    try {
        port = std::stoi(port_text);
    } catch (...) {
        throw UsageError("--listen: bad port '" + port_text + "'");
    }
    if (port < 0 || port > 65535) throw UsageError("--listen: bad port '" + port_text + "'");
    impl_->server.new_task_queue = [] { return new httplib::ThreadPool(2); };
    impl_->server.set_keep_alive_max_count(1);  // one request per connection, so stop() never waits on idle sockets
    port_ = port == 0 ? impl_->server.bind_to_any_port(host_) : (impl_->server.bind_to_port(host_, port) ? port : -1);
    if (port_ <= 0) throw TemporaryError("cannot listen on " + listen + " for the OAuth redirect");
}

LoopbackListener::~LoopbackListener() {
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

bool LoopbackListener::serve(const std::function<CallbackReply(const Params&)>& on_callback,
                             std::chrono::seconds timeout) {
    std::mutex handler_mutex;  // one callback at a time
    impl_->server.Get("/callback", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> one(handler_mutex);
        {
            std::lock_guard<std::mutex> lock(impl_->mutex);
            if (impl_->done) {
                res.status = 410;
                res.set_content(callback_page("Already finished", "This sign-in is complete."), "text/html");
                return;
            }
        }
        Params params;
        for (const auto& [k, v] : req.params) params.emplace_back(k, v);
        CallbackReply reply = on_callback(params);
        res.status = reply.status;
        res.set_header("Cache-Control", "no-store");
        res.set_content(reply.html, "text/html; charset=utf-8");
        if (reply.done) {
            std::lock_guard<std::mutex> lock(impl_->mutex);
            impl_->done = true;
            impl_->cv.notify_all();
        }
    });
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    std::unique_lock<std::mutex> lock(impl_->mutex);
    bool finished = impl_->cv.wait_for(lock, timeout, [this] { return impl_->done; });
    lock.unlock();
    impl_->server.stop();  // in-flight responses still complete: the pool drains before listen returns
    impl_->thread.join();
    return finished;
}

}  // namespace calsync
