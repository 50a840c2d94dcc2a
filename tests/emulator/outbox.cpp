#include "outbox.hpp"

#include <algorithm>
#include <chrono>

namespace emu {
namespace {

constexpr std::size_t kMaxLog = 20000;       // attempts kept for /_control/push/deliveries
constexpr std::size_t kMaxGraphBatch = 100;  // items per Graph POST

bool is_success(DeliveryKind kind, int status) {
    // Google also counts 102 as success (PROTOCOL.md §3).
    return (status >= 200 && status < 300) || (kind == DeliveryKind::google && status == 102);
}

// Network errors and server errors are retried: Google's 500/502/503/504,
// any 5xx for Graph. Every other answer is a final failure.
bool is_retryable(DeliveryKind kind, int status) {
    if (status == 0) return true;
    if (kind == DeliveryKind::google) return status == 500 || status == 502 || status == 503 || status == 504;
    return status >= 500;
}

bool is_dead(const Message& m, Millis now) {
    return (m.live && !m.live->load()) || (m.expires_ms != 0 && m.expires_ms <= now);
}

}  // namespace

std::string_view delivery_kind_name(DeliveryKind kind) {
    switch (kind) {
    case DeliveryKind::google: return "google";
    case DeliveryKind::graph: return "graph";
    case DeliveryKind::validation: return "validation";
    case DeliveryKind::lifecycle: return "lifecycle";
    }
    return "google";
}

SendResult http_post(const std::string& url, const httplib::Headers& headers, const std::string& body,
                     const std::string& content_type, int timeout_ms) {
    SendResult out;
    Millis started = now_ms();
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) {
        out.error = "invalid URL";
        return out;
    }
    size_t path_start = url.find_first_of("/?#", scheme_end + 3);
    std::string origin = url.substr(0, path_start);
    std::string target = path_start == std::string::npos ? "/" : url.substr(path_start);
    target = target.substr(0, target.find('#'));
    if (target.empty() || target.front() == '?') target.insert(0, "/");
    httplib::Client client(origin);
    if (!client.is_valid()) {
        out.error = "invalid URL";
        return out;
    }
    client.set_url_encode(false);  // the URL is sent as given (httplib would turn '+' into %2B)
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(timeout_ms / 1000, (timeout_ms % 1000) * 1000);
    client.set_write_timeout(5, 0);
    auto result = client.Post(target, headers, body, content_type);
    out.ms = now_ms() - started;
    if (!result) {
        out.error = httplib::to_string(result.error());
        out.timed_out = result.error() == httplib::Error::Read && out.ms >= timeout_ms - 50;
        if (out.timed_out) out.error = "timed out after " + std::to_string(timeout_ms) + " ms";
        return out;
    }
    out.status = result->status;
    out.body = result->body;
    out.content_type = result->get_header_value("Content-Type");
    return out;
}

Outbox::Outbox(int workers) {
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

Outbox::~Outbox() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
}

void Outbox::enqueue(Message message) {
    Millis now = now_ms();
    Pending pending;
    pending.not_before = message.kind == DeliveryKind::graph ? now + kGraphBatchDelayMs : now;
    pending.message = std::move(message);
    {
        std::lock_guard lock(mu_);
        std::string url = pending.message.url;
        destinations_[url].queue.push_back(std::move(pending));
        ++queued_;
    }
    wake_.notify_one();
}

void Outbox::record(Attempt attempt) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(attempt));
    if (log_.size() > kMaxLog) log_.pop_front();
}

void Outbox::count_dropped() {
    std::lock_guard lock(mu_);
    ++counts_.dropped;
}

OutboxCounts Outbox::flush(int timeout_ms) {
    std::unique_lock lock(mu_);
    idle_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return queued_ + in_flight_ == 0; });
    OutboxCounts c = counts_;
    c.pending = queued_ + in_flight_;
    return c;
}

OutboxCounts Outbox::counts() {
    std::lock_guard lock(mu_);
    OutboxCounts c = counts_;
    c.pending = queued_ + in_flight_;
    return c;
}

std::vector<Attempt> Outbox::attempts() {
    std::lock_guard lock(mu_);
    return {log_.begin(), log_.end()};
}

void Outbox::clear_attempts() {
    std::lock_guard lock(mu_);
    log_.clear();
}

void Outbox::clear() {
    std::lock_guard lock(mu_);
    ++generation_;
    for (auto it = destinations_.begin(); it != destinations_.end();) {
        if (it->second.busy) {
            it->second.queue.clear();  // the worker sending to it erases it when done
            ++it;
        } else {
            it = destinations_.erase(it);
        }
    }
    queued_ = 0;
    counts_ = OutboxCounts{};
    log_.clear();
    if (in_flight_ == 0) idle_.notify_all();
}

Outbox::Destination* Outbox::pick(Millis now, Millis& wait_until, std::string& url) {
    wait_until = 0;
    for (auto& [key, dest] : destinations_) {
        if (dest.busy || dest.queue.empty()) continue;
        Millis due = dest.queue.front().not_before;
        if (due <= now) {
            url = key;
            return &dest;
        }
        if (wait_until == 0 || due < wait_until) wait_until = due;
    }
    return nullptr;
}

void Outbox::work() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        Millis wait_until = 0;
        std::string url;
        Destination* dest = pick(now_ms(), wait_until, url);
        if (!dest) {
            if (wait_until == 0)
                wake_.wait(lock);
            else
                wake_.wait_for(lock, std::chrono::milliseconds(std::max<Millis>(1, wait_until - now_ms())));
            continue;
        }
        dest->busy = true;
        deliver(lock, url, *dest);
        dest->busy = false;
        if (dest->queue.empty()) destinations_.erase(url);
        if (queued_ + in_flight_ == 0) idle_.notify_all();
        wake_.notify_all();
    }
}

// Takes the head message (for Graph: the run of Graph items at the head) off
// `dest`, sends it without the lock, then logs the attempt and either
// finishes the messages or puts them back for a retry after a backoff.
void Outbox::deliver(std::unique_lock<std::mutex>& lock, const std::string& url, Destination& dest) {
    Millis now = now_ms();
    std::vector<Pending> batch;
    while (!dest.queue.empty()) {
        Pending& head = dest.queue.front();
        bool graph = head.message.kind == DeliveryKind::graph;
        if (!batch.empty() && (!graph || batch.size() >= kMaxGraphBatch)) break;
        if (is_dead(head.message, now)) {
            ++counts_.skipped;
        } else {
            batch.push_back(std::move(head));
        }
        dest.queue.pop_front();
        --queued_;
        if (!batch.empty() && !graph) break;
    }
    if (batch.empty()) return;
    in_flight_ += batch.size();
    const Message& first = batch.front().message;
    std::string body = first.body;
    std::vector<std::string> ids{first.target};
    int attempt = 0;
    for (const auto& p : batch) {
        attempt = std::max(attempt, p.attempt + 1);
        if (std::find(ids.begin(), ids.end(), p.message.target) == ids.end()) ids.push_back(p.message.target);
    }
    if (first.kind == DeliveryKind::graph) {
        body = "{\"value\":[";
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (i) body += ',';
            body += batch[i].message.body;
        }
        body += "]}";
    }
    std::uint64_t generation = generation_;
    httplib::Headers headers = first.headers;
    std::string content_type = first.content_type;

    lock.unlock();
    SendResult sent = http_post(url, headers, body, content_type, kReadTimeoutMs);
    lock.lock();

    in_flight_ -= batch.size();
    if (generation != generation_) return;  // cleared meanwhile
    Attempt a;
    a.t_ms = now;
    a.kind = first.kind;
    for (const auto& id : ids) {
        if (!a.target.empty()) a.target += ',';
        a.target += id;
    }
    a.url = url;
    a.number = first.number;
    a.attempt = attempt;
    a.items = int(batch.size());
    a.status = sent.status;
    a.error = sent.error;
    a.ms = sent.ms;
    log_.push_back(std::move(a));
    if (log_.size() > kMaxLog) log_.pop_front();

    if (is_success(first.kind, sent.status)) {
        counts_.delivered += batch.size();
        return;
    }
    bool retry = is_retryable(first.kind, sent.status);
    Millis retry_at = now_ms();
    // Back in front, in their order, for the next attempt.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
        ++it->attempt;
        if (!retry || it->attempt > kRetries) {
            ++counts_.failed;
            continue;
        }
        it->not_before = retry_at + (Millis(1000) << (it->attempt - 1));
        dest.queue.push_front(std::move(*it));
        ++queued_;
    }
}

}  // namespace emu
