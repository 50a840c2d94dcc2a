// Plumbing shared by the control-API route files (control*.cpp).
#pragma once

#include "provider_errors.hpp"
#include "state.hpp"

#include <httplib.h>

#include <functional>
#include <stdexcept>
#include <string>

namespace emu {

// A control request the emulator refuses; becomes {"error": what()} with `status`.
struct ControlError : std::runtime_error {
    ControlError(int status_in, const std::string& message) : std::runtime_error(message), status(status_in) {}
    int status;
};

// `body` is the parsed JSON request body ({} when empty); query parameters
// stay in `req`. The function runs with state.mu held and returns the reply.
using ControlFn = std::function<Json(const Json& body, const httplib::Request& req)>;

// Registers /_control`path` for `method` (GET, POST or DELETE). Malformed
// JSON and ControlError/std::exception from `fn` become 400-style replies.
void control_route(httplib::Server& server, State& state, const std::string& method, const std::string& path,
                   ControlFn fn);

// Required fields, with a ControlError naming the field when absent or mistyped.
Provider need_provider(const std::string& name);
std::string need_string(const Json& body, const char* key);

void register_control_tokens(httplib::Server& server, State& state);
void register_control_calendar(httplib::Server& server, State& state);  // also registers control_seed
void register_control_seed(httplib::Server& server, State& state);
void register_control_push(httplib::Server& server, State& state);

}  // namespace emu
