// The test sink: a webhook receiver inside the emulator (/_sink/{name}/…),
// for push tests that have no server of their own. It records every request
// and answers like a well-behaved endpoint (Graph validation echoed, 202
// otherwise) unless told to misbehave. Has its own mutex: it is called by
// the outbox and by Graph's validation while state.mu is free, and must not
// need state.mu to answer.
#pragma once

#include "state.hpp"

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace emu {

struct SinkRequest {
    Millis t_ms = 0;
    std::string method, path, query, body;  // query: raw, still percent-encoded
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
};

// How a sink answers (POST /_control/sink/{name}/config).
struct SinkConfig {
    int status = 0;                                     // 0: 200 for validation requests, 202 otherwise
    std::string echo = "decoded";                       // validation body: decoded | raw | none
    std::string content_type = "text/plain; charset=utf-8";  // of the validation answer
    int delay_ms = 0;                                   // before answering
    int count = -1;                                     // requests this applies to; -1: all; then defaults
};

class SinkBook {
public:
    // Records the request and returns how to answer it.
    SinkConfig receive(const std::string& name, SinkRequest request);
    std::vector<SinkRequest> requests(const std::string& name);
    void configure(const std::string& name, SinkConfig config);
    void forget(const std::string& name);
    void clear();

private:
    struct Sink {
        std::vector<SinkRequest> requests;
        SinkConfig config;
    };
    std::mutex mu_;
    std::map<std::string, Sink> sinks_;
};

}  // namespace emu
