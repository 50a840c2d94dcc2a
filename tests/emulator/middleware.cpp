#include "middleware.hpp"

#include "http.hpp"
#include "util/encoding.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace emu {
namespace {

// httplib runs pre-routing, the handler and post-routing of one request on one
// worker thread, so per-request data can live in a thread_local. `req` tells
// whether the data belongs to the request at hand (pre-routing may not have
// run for a request httplib rejected early).
struct RequestScope {
    const httplib::Request* req = nullptr;
    Millis received_ms = 0;
    std::optional<Fault> fault;
    std::string grant_type;  // from a body read by with_body()
};
thread_local RequestScope t_scope;

// The test-facing routes: the control API and the webhook sink.
bool is_control(const std::string& path) { return path.rfind("/_control", 0) == 0 || path.rfind("/_sink/", 0) == 0; }

// Answers the fault chosen for `req`, if any. Returns whether it did.
bool answer_pending_fault(const httplib::Request& req, httplib::Response& res) {
    if (t_scope.req != &req || !t_scope.fault) return false;
    write_fault(res, *t_scope.fault, req.path);
    t_scope.fault.reset();
    return true;
}

httplib::Server::Handler faultable(httplib::Server::Handler handler) {
    return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
        if (!answer_pending_fault(req, res)) handler(req, res);
    };
}

// httplib 0.11 waits for a body (until its read timeout) when a POST, PUT or
// PATCH has neither Content-Length nor chunked encoding, although HTTP says
// such a request has none (RFC 9112 §6.3). So bodies are read here.
bool announces_body(const httplib::Request& req) {
    return req.has_header("Content-Length") ||
           req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
}

// A copy of `req` with its body and, for a form body, its fields in `params`.
// Notes the grant_type for the request log, which sees only the original.
httplib::Request read_body(const httplib::Request& req, const httplib::ContentReader& reader) {
    httplib::Request full = req;
    if (announces_body(req)) {
        reader([&full](const char* data, size_t size) {
            full.body.append(data, size);
            return true;
        });
    }
    if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
        for (auto& [key, value] : calsync::parse_query(full.body)) full.params.emplace(key, value);
    }
    if (t_scope.req == &req) t_scope.grant_type = param(full, "grant_type");
    return full;
}

// The body is read even for a faulted request, so none is left behind on a
// keep-alive connection.
httplib::Server::HandlerWithContentReader faultable_with_body(httplib::Server::Handler handler) {
    return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& reader) {
        httplib::Request full = read_body(req, reader);
        if (!answer_pending_fault(req, res)) handler(full, res);
    };
}

}  // namespace

httplib::Server::HandlerWithContentReader with_body(httplib::Server::Handler handler) {
    return
        [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) { handler(read_body(req, reader), res); };
}

void install_middleware(httplib::Server& server, State& state) {
    server.set_pre_routing_handler([&state](const httplib::Request& req, httplib::Response&) {
        t_scope = RequestScope{&req, now_ms(), std::nullopt, ""};
        if (is_control(req.path)) return httplib::Server::HandlerResponse::Unhandled;
        int delay_ms = 0;
        std::optional<Fault> fault;
        {
            std::lock_guard lock(state.mu);
            delay_ms = state.config.latency_ms;
            fault = state.faults.take(req.method, req.path);
        }
        if (fault) delay_ms += fault->delay_ms;
        if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        if (fault && fault->status != 0) t_scope.fault = std::move(fault);
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // Unrouted paths (404/405) can be faulted too.
    server.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
            return answer_pending_fault(req, res) ? httplib::Server::HandlerResponse::Handled
                                                  : httplib::Server::HandlerResponse::Unhandled;
        }));

    server.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        std::fprintf(stderr, "emulator bug: %s %s: %s\n", req.method.c_str(), req.path.c_str(), what.c_str());
        send_json(res, 500, Json{{"error", "emulator_bug"}, {"error_description", what}});
    });

    // Post-routing runs before the response is written, so a test that reads
    // /_control/requests right after a response always finds it logged.
    server.set_post_routing_handler([&state](const httplib::Request& req, httplib::Response& res) {
        if (req.method.empty()) return;
        Millis now = now_ms();
        Millis received = t_scope.req == &req ? t_scope.received_ms : now;
        // Method, path (never the query: it may carry codes) and status only.
        std::fprintf(stderr, "%s %s %d %lldms\n", req.method.c_str(), req.path.c_str(), res.status,
                     static_cast<long long>(now - received));
        if (is_control(req.path)) return;
        std::string grant_type = t_scope.req == &req ? t_scope.grant_type : "";
        if (grant_type.empty()) grant_type = param(req, "grant_type");
        RequestRecord record{req.method, req.path, res.status, received, grant_type};
        std::lock_guard lock(state.mu);
        state.requests.push_back(std::move(record));
    });
}

void provider_get(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler) {
    server.Get(pattern, faultable(std::move(handler)));
}
void provider_post(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler) {
    server.Post(pattern, faultable_with_body(std::move(handler)));
}
void provider_put(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler) {
    server.Put(pattern, faultable_with_body(std::move(handler)));
}
void provider_patch(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler) {
    server.Patch(pattern, faultable_with_body(std::move(handler)));
}
void provider_delete(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler) {
    server.Delete(pattern, faultable(std::move(handler)));
}

}  // namespace emu
