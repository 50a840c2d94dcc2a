// What happens around every request: latency, injected faults, the request
// log and the one-line stderr log. Control routes (/_control/…) get none of
// the first three, so tests can always steer the emulator.
#pragma once

#include "state.hpp"

#include <httplib.h>

#include <string>

namespace emu {

// Installs the pre-routing step (receive time, latency, fault selection and
// delay), the error and exception handlers and the post-routing log on `server`.
// The pre-routing step only *chooses* a fault: the request body is not read at
// that point, and answering there would leave it in a keep-alive connection.
void install_middleware(httplib::Server& server, State& state);

// Wraps a handler for a route that takes a body (POST/PUT/PATCH): the body is
// read even when the request has no Content-Length (meaning: empty), and a
// form body's fields land in `params`. Control routes use it directly.
httplib::Server::HandlerWithContentReader with_body(httplib::Server::Handler handler);

// Registers a provider route. An injected fault chosen for the request is
// answered instead of running `handler`, so a faulted call has no side effects
// (no code consumed, no token rotated).
void provider_get(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler);
void provider_post(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler);
void provider_put(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler);
void provider_patch(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler);
void provider_delete(httplib::Server& server, const std::string& pattern, httplib::Server::Handler handler);

}  // namespace emu
