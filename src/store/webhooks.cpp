#include "store/webhooks.hpp"

#include <algorithm>

namespace calsync {
namespace {

constexpr const char* kChannelColumns =
    "id, integration_id, calendar_id, provider, channel_id, COALESCE(resource_id, ''), COALESCE(resource, ''), "
    "secret_digest, status, expires_at, created_at, renewed_at, last_error";

WebhookChannel read_channel(SQLite::Statement& q) {
    WebhookChannel c;
    c.id = q.getColumn(0).getInt64();
    c.integration_id = q.getColumn(1).getInt64();
    if (!q.getColumn(2).isNull()) c.calendar_id = q.getColumn(2).getInt64();
    c.provider = q.getColumn(3).getString();
    c.channel_id = q.getColumn(4).getString();
    c.resource_id = q.getColumn(5).getString();
    c.resource = q.getColumn(6).getString();
    c.secret_digest = q.getColumn(7).getString();
    c.status = q.getColumn(8).getString();
    c.expires_at = q.getColumn(9).getInt64();
    c.created_at = q.getColumn(10).getInt64();
    if (!q.getColumn(11).isNull()) c.renewed_at = q.getColumn(11).getInt64();
    if (!q.getColumn(12).isNull()) c.last_error = q.getColumn(12).getString();
    return c;
}

std::vector<WebhookChannel> read_channels(SQLite::Statement& q) {
    std::vector<WebhookChannel> out;
    while (q.executeStep()) out.push_back(read_channel(q));
    return out;
}

void bind_opt(SQLite::Statement& q, int i, const std::optional<std::string>& v) {
    if (v)
        q.bind(i, *v);
    else
        q.bind(i);
}

}  // namespace

std::optional<WebhookChannel> WebhookStore::find_channel(const std::string& provider, const std::string& channel_id) {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kChannelColumns +
                                       " FROM webhook_channels WHERE provider = ? AND channel_id = ?");
    q.bind(1, provider);
    q.bind(2, channel_id);
    if (!q.executeStep()) return std::nullopt;
    return read_channel(q);
}

std::vector<WebhookChannel> WebhookStore::channels(int64_t integration_id) {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kChannelColumns +
                                       " FROM webhook_channels WHERE integration_id = ? ORDER BY id");
    q.bind(1, integration_id);
    return read_channels(q);
}

std::vector<WebhookChannel> WebhookStore::all_channels() {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kChannelColumns + " FROM webhook_channels ORDER BY id");
    return read_channels(q);
}

int64_t WebhookStore::add_channel(const WebhookChannel& c) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "INSERT INTO webhook_channels (integration_id, calendar_id, provider, channel_id, resource_id, "
                        "resource, secret_digest, status, expires_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
    q.bind(1, c.integration_id);
    if (c.calendar_id)
        q.bind(2, *c.calendar_id);
    else
        q.bind(2);
    q.bind(3, c.provider);
    q.bind(4, c.channel_id);
    q.bind(5, c.resource_id);
    q.bind(6, c.resource);
    q.bind(7, c.secret_digest);
    q.bind(8, c.status);
    q.bind(9, c.expires_at);
    q.bind(10, c.created_at);
    q.exec();
    int64_t id = db_.sql().getLastInsertRowid();
    tx.commit();
    return id;
}

void WebhookStore::set_status(int64_t id, const std::string& status) {
    SQLite::Statement q(db_.sql(), "UPDATE webhook_channels SET status = ? WHERE id = ?");
    q.bind(1, status);
    q.bind(2, id);
    q.exec();
}

void WebhookStore::set_expiry(int64_t id, int64_t expires_at, int64_t now) {
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_channels SET expires_at = ?, renewed_at = ?, last_error = NULL WHERE id = ?");
    q.bind(1, expires_at);
    q.bind(2, now);
    q.bind(3, id);
    q.exec();
}

void WebhookStore::set_error(int64_t id, const std::optional<std::string>& error) {
    SQLite::Statement q(db_.sql(), "UPDATE webhook_channels SET last_error = ? WHERE id = ?");
    bind_opt(q, 1, error);
    q.bind(2, id);
    q.exec();
}

void WebhookStore::remove_channel(int64_t id) {
    SQLite::Statement q(db_.sql(), "DELETE FROM webhook_channels WHERE id = ?");
    q.bind(1, id);
    q.exec();
}

int64_t WebhookStore::enqueue(const std::vector<Notification>& items, int64_t now) {
    if (items.empty()) return 0;
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "INSERT INTO webhook_queue (provider, channel_id, message_id, kind, state, payload, "
                        "secret_digest, status, next_attempt_at, received_at) VALUES (?,?,?,?,?,?,?,'pending',?,?) "
                        "ON CONFLICT DO NOTHING");
    int64_t added = 0;
    for (const auto& n : items) {
        q.bind(1, n.provider);
        q.bind(2, n.channel_id);
        bind_opt(q, 3, n.message_id);
        q.bind(4, n.kind);
        q.bind(5, n.state);
        q.bind(6, n.payload);
        q.bind(7, n.secret_digest);
        q.bind(8, now);
        q.bind(9, now);
        added += q.exec();
        q.reset();
        q.clearBindings();
    }
    tx.commit();
    return added;
}

int64_t WebhookStore::reclaim(int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET status = 'pending', lease_holder = NULL, lease_expires_at = NULL "
                        "WHERE status = 'processing' AND lease_expires_at <= ?");
    q.bind(1, now);
    int64_t n = q.exec();
    tx.commit();
    return n;
}

std::vector<std::string> WebhookStore::processing_holders() {
    SQLite::Statement q(db_.sql(), "SELECT DISTINCT lease_holder FROM webhook_queue WHERE status = 'processing' "
                                   "AND lease_holder IS NOT NULL");
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
}

int64_t WebhookStore::release_holder(const std::string& holder) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET status = 'pending', lease_holder = NULL, lease_expires_at = NULL "
                        "WHERE status = 'processing' AND lease_holder = ?");
    q.bind(1, holder);
    int64_t n = q.exec();
    tx.commit();
    return n;
}

std::vector<QueueItem> WebhookStore::claim(const std::string& holder, int64_t limit, int64_t lease_ttl, int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET status = 'processing', lease_holder = ?1, lease_expires_at = ?2 "
                        "WHERE id IN (SELECT id FROM webhook_queue WHERE status = 'pending' AND next_attempt_at <= ?3 "
                        "ORDER BY id LIMIT ?4) "
                        "RETURNING id, provider, channel_id, message_id, kind, state, payload, secret_digest, "
                        "attempts, received_at");
    q.bind(1, holder);
    q.bind(2, now + lease_ttl);
    q.bind(3, now);
    q.bind(4, limit);
    std::vector<QueueItem> out;
    while (q.executeStep()) {
        QueueItem it;
        it.id = q.getColumn(0).getInt64();
        it.n.provider = q.getColumn(1).getString();
        it.n.channel_id = q.getColumn(2).getString();
        if (!q.getColumn(3).isNull()) it.n.message_id = q.getColumn(3).getString();
        it.n.kind = q.getColumn(4).getString();
        it.n.state = q.getColumn(5).getString();
        it.n.payload = q.getColumn(6).getString();
        it.n.secret_digest = q.getColumn(7).getString();
        it.attempts = q.getColumn(8).getInt64();
        it.received_at = q.getColumn(9).getInt64();
        out.push_back(std::move(it));
    }
    tx.commit();
    std::sort(out.begin(), out.end(), [](const QueueItem& a, const QueueItem& b) { return a.id < b.id; });
    return out;
}

void WebhookStore::renew_claims(const std::string& holder, int64_t lease_ttl, int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET lease_expires_at = ? WHERE status = 'processing' AND lease_holder = ?");
    q.bind(1, now + lease_ttl);
    q.bind(2, holder);
    q.exec();
    tx.commit();
}

void WebhookStore::finish(const std::vector<int64_t>& ids, const std::string& status,
                          const std::optional<std::string>& error, int64_t now) {
    if (ids.empty()) return;
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET status = ?, last_error = ?, finished_at = ?, lease_holder = NULL, "
                        "lease_expires_at = NULL, attempts = attempts + 1 WHERE id = ?");
    for (int64_t id : ids) {
        q.bind(1, status);
        bind_opt(q, 2, error);
        q.bind(3, now);
        q.bind(4, id);
        q.exec();
        q.reset();
    }
    tx.commit();
}

int64_t WebhookStore::retry_later(const std::vector<int64_t>& ids, const std::string& error, int64_t next_attempt_at,
                                  int64_t max_attempts, int64_t now) {
    if (ids.empty()) return 0;
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET attempts = attempts + 1, last_error = ?1, lease_holder = NULL, "
                        "lease_expires_at = NULL, next_attempt_at = ?2, "
                        "status = CASE WHEN attempts + 1 >= ?3 THEN 'dead' ELSE 'pending' END, "
                        "finished_at = CASE WHEN attempts + 1 >= ?3 THEN ?4 ELSE NULL END "
                        "WHERE id = ?5 RETURNING status");
    int64_t died = 0;
    for (int64_t id : ids) {
        q.bind(1, error);
        q.bind(2, next_attempt_at);
        q.bind(3, max_attempts);
        q.bind(4, now);
        q.bind(5, id);
        while (q.executeStep())
            if (q.getColumn(0).getString() == "dead") ++died;
        q.reset();
    }
    tx.commit();
    return died;
}

void WebhookStore::release(const std::vector<int64_t>& ids, int64_t next_attempt_at) {
    if (ids.empty()) return;
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET status = 'pending', lease_holder = NULL, lease_expires_at = NULL, "
                        "next_attempt_at = ? WHERE id = ?");
    for (int64_t id : ids) {
        q.bind(1, next_attempt_at);
        q.bind(2, id);
        q.exec();
        q.reset();
    }
    tx.commit();
}

int64_t WebhookStore::revive_dead(int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "UPDATE webhook_queue SET status = 'pending', attempts = 0, next_attempt_at = ?, "
                        "finished_at = NULL WHERE status = 'dead'");
    q.bind(1, now);
    int64_t n = q.exec();
    tx.commit();
    return n;
}

int64_t WebhookStore::prune(int64_t before) {
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "DELETE FROM webhook_queue WHERE status IN ('done', 'rejected') AND finished_at < ?");
    q.bind(1, before);
    int64_t n = q.exec();
    tx.commit();
    return n;
}

QueueCounts WebhookStore::counts() {
    QueueCounts c;
    SQLite::Statement q(db_.sql(), "SELECT status, count(*) FROM webhook_queue GROUP BY status");
    while (q.executeStep()) {
        std::string s = q.getColumn(0).getString();
        int64_t n = q.getColumn(1).getInt64();
        if (s == "pending") c.pending = n;
        else if (s == "processing") c.processing = n;
        else if (s == "done") c.done = n;
        else if (s == "rejected") c.rejected = n;
        else if (s == "dead") c.dead = n;
    }
    return c;
}

}  // namespace calsync
