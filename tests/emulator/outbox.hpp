// The delivery engine for push notifications: an outbox of HTTP POSTs worked
// off by a few background threads, in order per destination URL, with
// retries, and a log of every attempt. It has its own mutex and never takes
// state.mu, so State may enqueue while holding state.mu (lock order: state.mu,
// then the outbox's), and nothing is ever sent while state.mu is held.
#pragma once

#include "state.hpp"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace emu {

enum class DeliveryKind { google, graph, validation, lifecycle };
std::string_view delivery_kind_name(DeliveryKind kind);

// Cleared when the channel or subscription stops or expires: queued and
// retried messages of a dead one are then skipped.
using LiveFlag = std::shared_ptr<std::atomic<bool>>;

struct Message {
    DeliveryKind kind = DeliveryKind::google;
    std::string url;  // absolute; the destination (messages to one URL go out in order)
    httplib::Headers headers;
    std::string content_type;  // empty: none
    // google: empty; lifecycle: the whole body; graph: ONE serialized item of
    // the {"value":[…]} batch (consecutive graph items to one URL share a POST).
    std::string body;
    std::string target;       // channel or subscription id
    std::int64_t number = 0;  // Google X-Goog-Message-Number (0: none)
    LiveFlag live;            // null: always delivered (lifecycle)
    Millis expires_ms = 0;    // 0: never
};

// One HTTP attempt (or a message dropped by the `drop` setting).
struct Attempt {
    Millis t_ms = 0;
    DeliveryKind kind = DeliveryKind::google;
    std::string target, url;  // target: comma-separated ids for a Graph batch
    std::int64_t number = 0;
    int attempt = 1;
    int items = 1;
    int status = 0;     // 0: no HTTP answer (see error)
    std::string error;  // "" on an HTTP answer
    Millis ms = 0;
};

struct SendResult {
    int status = 0;  // 0: no answer
    std::string error;
    bool timed_out = false;
    std::string body, content_type;
    Millis ms = 0;
};

// One POST to an absolute http(s) URL; `timeout_ms` bounds reading the answer.
SendResult http_post(const std::string& url, const httplib::Headers& headers, const std::string& body,
                     const std::string& content_type, int timeout_ms);

struct OutboxCounts {
    std::size_t pending = 0;
    std::uint64_t delivered = 0, failed = 0, dropped = 0, skipped = 0;
};

class Outbox {
public:
    static constexpr int kRetries = 3;               // after the first attempt: 1 s, 2 s, 4 s
    static constexpr int kReadTimeoutMs = 10000;     // for notifications
    static constexpr Millis kGraphBatchDelayMs = 20;  // Graph items wait this long to be batched

    explicit Outbox(int workers = 4);
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    void enqueue(Message message);
    // Logs an attempt made elsewhere (validation) or a dropped message.
    void record(Attempt attempt);
    void count_dropped();
    // Waits until nothing is queued or in flight, or `timeout_ms` passed.
    OutboxCounts flush(int timeout_ms);
    OutboxCounts counts();
    std::vector<Attempt> attempts();
    void clear_attempts();
    // Forgets queued messages, the log and the counters (in-flight sends finish unrecorded).
    void clear();

private:
    struct Pending {
        Message message;
        int attempt = 0;  // attempts made
        Millis not_before = 0;
    };
    struct Destination {
        std::deque<Pending> queue;
        bool busy = false;
    };

    void work();
    // Picks an eligible destination; sets `wait_until` when none is.
    Destination* pick(Millis now, Millis& wait_until, std::string& url);
    void deliver(std::unique_lock<std::mutex>& lock, const std::string& url, Destination& dest);

    std::mutex mu_;
    std::condition_variable wake_, idle_;
    std::map<std::string, Destination> destinations_;  // by URL
    std::size_t queued_ = 0, in_flight_ = 0;
    std::uint64_t generation_ = 0;  // bumped by clear()
    OutboxCounts counts_;
    std::deque<Attempt> log_;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace emu
