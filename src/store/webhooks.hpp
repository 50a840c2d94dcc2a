// Push channels and the webhook queue (schema v3). The CGI receiver uses only
// `find_channel` and `enqueue`; register-webhook, renew and process-queue the
// rest. Channel secrets exist here only as SHA-256 digests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace calsync {

struct WebhookChannel {
    int64_t id = 0;
    int64_t integration_id = 0;
    std::optional<int64_t> calendar_id;
    std::string provider;    // google | microsoft
    std::string channel_id;  // Google channel id / Graph subscription id
    std::string resource_id;  // Google resourceId
    std::string resource;     // Google resourceUri / Graph resource
    std::string secret_digest;
    std::string status = "active";  // active | retiring
    int64_t expires_at = 0;
    int64_t created_at = 0;
    std::optional<int64_t> renewed_at;
    std::optional<std::string> last_error;
};

struct Notification {
    std::string provider;
    std::string channel_id;
    std::optional<std::string> message_id;  // a redelivery of the same id is stored once
    std::string kind;                       // sync | change | lifecycle
    std::string state;                      // resource state / changeType / lifecycleEvent
    std::string payload;                    // JSON without the secret
    std::string secret_digest;              // of the secret the request presented
};

struct QueueItem {
    int64_t id = 0;
    Notification n;
    int64_t attempts = 0;
    int64_t received_at = 0;
};

struct QueueCounts {
    int64_t pending = 0, processing = 0, done = 0, rejected = 0, dead = 0;
};

class WebhookStore {
public:
    explicit WebhookStore(Database& db) : db_(db) {}

    // --- channels
    std::optional<WebhookChannel> find_channel(const std::string& provider, const std::string& channel_id);
    std::vector<WebhookChannel> channels(int64_t integration_id);
    std::vector<WebhookChannel> all_channels();
    int64_t add_channel(const WebhookChannel& c);
    void set_status(int64_t id, const std::string& status);
    void set_expiry(int64_t id, int64_t expires_at, int64_t now);
    void set_error(int64_t id, const std::optional<std::string>& error);
    void remove_channel(int64_t id);

    // --- queue
    // Inserts in one transaction; returns how many were new (not redeliveries).
    int64_t enqueue(const std::vector<Notification>& items, int64_t now);
    // Puts items whose lease expired (their worker died) back to pending.
    int64_t reclaim(int64_t now);
    // Holders of items being processed, and putting one holder's items back.
    std::vector<std::string> processing_holders();
    int64_t release_holder(const std::string& holder);
    // Leases up to `limit` due pending items, oldest first.
    std::vector<QueueItem> claim(const std::string& holder, int64_t limit, int64_t lease_ttl, int64_t now);
    // Extends the lease of the holder's items; false if lost.
    void renew_claims(const std::string& holder, int64_t lease_ttl, int64_t now);
    void finish(const std::vector<int64_t>& ids, const std::string& status, const std::optional<std::string>& error,
                int64_t now);
    // Back to pending after a failed attempt, due at `next_attempt_at`, or
    // dead once `attempts` reaches `max_attempts`. Returns how many died.
    int64_t retry_later(const std::vector<int64_t>& ids, const std::string& error, int64_t next_attempt_at,
                        int64_t max_attempts, int64_t now);
    // Back to pending without counting an attempt (the integration was busy).
    void release(const std::vector<int64_t>& ids, int64_t next_attempt_at);
    int64_t revive_dead(int64_t now);
    // Deletes done and rejected items finished before `before`.
    int64_t prune(int64_t before);
    QueueCounts counts();

private:
    Database& db_;
};

}  // namespace calsync
