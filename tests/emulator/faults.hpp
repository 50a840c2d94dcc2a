// Injected faults: "the next N requests whose path starts with P get status S
// (after D ms)". Tests use them to prove calsync retries, honours
// Retry-After and survives provider outages.
#pragma once

#include "provider_errors.hpp"

#include <httplib.h>

#include <optional>
#include <string>
#include <vector>

namespace emu {

struct Fault {
    std::string path_prefix;
    std::string method;               // empty: any method
    int status = 0;                   // 0: no answer of its own, only `delay_ms`
    std::string retry_after;          // sent verbatim as Retry-After (seconds or an HTTP-date)
    std::optional<std::string> body;  // nullopt: the provider's real error body for `status`
    std::string content_type;         // empty: guessed from the body
    int remaining = 1;                // -1: every matching request, forever
    int delay_ms = 0;
};

// Parses a POST /_control/faults body; throws std::invalid_argument with a
// message for the test author on bad input.
Fault parse_fault(const Json& body);

class FaultTable {
public:
    void add(Fault fault) { faults_.push_back(std::move(fault)); }
    void clear() { faults_.clear(); }
    // Consumes one use of the first fault matching the request, if any.
    std::optional<Fault> take(const std::string& method, const std::string& path);
    size_t size() const { return faults_.size(); }

private:
    std::vector<Fault> faults_;
};

// Writes the fault's response: status, Retry-After, and its body or the
// default body of the provider the path belongs to.
void write_fault(httplib::Response& res, const Fault& fault, const std::string& path);

}  // namespace emu
