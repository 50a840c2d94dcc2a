// The webhook receiver's request handling (SPEC §5.1), apart from CGI: a
// request in, a response out. Google push notifications and Graph change and
// lifecycle notifications are checked against the stored channels (secret
// digests compared in constant time) and queued; a 2xx means the rows are
// committed. Nothing here logs or echoes a channel token or clientState.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calsync {

class Database;

// Orders header names case-insensitively ("X-Goog-Channel-ID" == "x-goog-channel-id").
struct NoCaseLess {
    bool operator()(std::string_view a, std::string_view b) const;
    using is_transparent = void;
};
using RequestHeaders = std::map<std::string, std::string, NoCaseLess>;

struct Request {
    std::string method;
    std::string path_info;
    std::string query;
    RequestHeaders headers;
    std::string content_type;
    std::optional<uint64_t> content_length;  // as announced (the body may not have been read)
    std::string body;
    std::string malformed;  // set by the transport when the request itself is broken
};

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
    int64_t items = 0;   // notifications the request carried
    int64_t queued = 0;  // new rows in the queue (redeliveries not counted)
};

// What the handler needs from outside, so tests can swap each part.
struct ReceiverServices {
    // The existing database, opened on first use; throws (calsync::Error,
    // SQLite::Exception) when it is unavailable, which becomes a 503.
    std::function<Database&()> database;
    // Called after an enqueue that added rows: ask for immediate processing.
    std::function<void()> queue_changed;
    std::function<int64_t()> now;  // Unix seconds
};

// Largest request body a route accepts; the transport reads no more.
uint64_t body_limit(std::string_view path_info);

// Routes a request, never throws, and logs one line for it at info.
Response handle(const Request& request, ReceiverServices& services);

// Updates the trigger file's mtime (creating it, mode 0660) for a systemd
// path unit; never blocks. Failures are logged and reported as false.
bool touch_trigger(const std::string& path);

}  // namespace calsync
