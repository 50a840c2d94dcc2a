// Fixtures for the webhook receiver tests: a real database with one Google
// channel and one Graph subscription, services that count what the handler
// asks for, and a log capture (to prove no secret reaches a log line).
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

#include "crypto/crypto.hpp"
#include "db/database.hpp"
#include "errors.hpp"
#include "store/webhooks.hpp"
#include "support.hpp"
#include "webhook/receiver.hpp"

namespace calsync::test {

inline const std::string kGoogleToken = "g-token-secret-0123456789";
inline const std::string kClientState = "client-state-secret-9876543210";

// Routes spdlog's default logger into a string for the fixture's lifetime.
class LogCapture {
public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out_);
        auto logger = std::make_shared<spdlog::logger>("test", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    std::string text() const { return out_.str(); }

private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::logger> previous_;
};

struct Hook {
    TempDir dir;
    std::unique_ptr<Database> db = Database::open(dir / "calsync.db");
    int opens = 0;
    int triggers = 0;
    bool down = false;  // the database "cannot be opened"
    ReceiverServices services{[this]() -> Database& {
                                  ++opens;
                                  if (down) throw TemporaryError("database is locked");
                                  return *db;
                              },
                              [this] { ++triggers; }, [] { return int64_t(1000); }};

    Hook() {
        db->sql().exec(
            "INSERT INTO organizations VALUES ('acme', 0);"
            "INSERT INTO integrations (id, org_id, provider, account_id, account_email, status, created_at, "
            "updated_at) VALUES (1, 'acme', 'google', 'g', 'a@example.com', 'connected', 0, 0), "
            "(2, 'acme', 'microsoft', 'm', 'b@example.com', 'connected', 0, 0)");
        WebhookStore store(*db);
        store.add_channel(channel(1, "google", "chan-1", "res-1", kGoogleToken));
        store.add_channel(channel(2, "microsoft", "sub-1", "", kClientState));
    }

    static WebhookChannel channel(int64_t integration, std::string provider, std::string id, std::string resource_id,
                                  const std::string& secret) {
        WebhookChannel c;
        c.integration_id = integration;
        c.provider = std::move(provider);
        c.channel_id = std::move(id);
        c.resource_id = std::move(resource_id);
        c.secret_digest = sha256_hex(secret);
        c.expires_at = 5000;
        c.created_at = 0;
        return c;
    }

    Response send(const Request& r) { return handle(r, services); }

    int64_t rows(const std::string& where = "1") {
        return db->sql().execAndGet("SELECT count(*) FROM webhook_queue WHERE " + where).getInt64();
    }
    std::string column(const std::string& expr) {
        return db->sql().execAndGet("SELECT " + expr + " FROM webhook_queue ORDER BY id DESC LIMIT 1").getString();
    }
};

inline Request google_request(const std::string& number = "5", const std::string& state = "exists",
                              const std::string& token = kGoogleToken) {
    Request r;
    r.method = "POST";
    r.path_info = "/google";
    r.content_type = "application/json; utf-8";
    r.content_length = 0;
    r.headers = {{"X-Goog-Channel-ID", "chan-1"},
                 {"X-Goog-Resource-ID", "res-1"},
                 {"X-Goog-Resource-State", state},
                 {"X-Goog-Message-Number", number},
                 {"X-Goog-Channel-Token", token},
                 {"X-Goog-Resource-URI", "https://www.googleapis.com/calendar/v3/calendars/primary/events"},
                 {"X-Goog-Channel-Expiration", "Tue, 19 Nov 2013 01:13:52 GMT"}};
    return r;
}

inline Request graph_request(const std::string& body, const std::string& path = "/microsoft") {
    Request r;
    r.method = "POST";
    r.path_info = path;
    r.content_type = "application/json; charset=utf-8";
    r.content_length = body.size();
    r.body = body;
    return r;
}

inline Request validation_request(const std::string& encoded_token, const std::string& path = "/microsoft") {
    Request r;
    r.method = "POST";
    r.path_info = path;
    r.query = "validationToken=" + encoded_token;
    r.content_type = "text/plain; charset=utf-8";
    r.content_length = 0;
    return r;
}

// One Graph change item (or a lifecycle item when `lifecycle` is given).
inline std::string graph_item(const std::string& subscription, const std::string& client_state,
                              const std::string& lifecycle = "") {
    std::string item = R"({"id":"lsgTZMr9KwAAA","subscriptionId":")" + subscription + R"(","clientState":")" +
                       client_state + R"(","tenantId":"84bd8158",)";
    if (lifecycle.empty())
        item += R"("changeType":"updated","resource":"Users/u/Events/e1","resourceData":{"id":"e1"}})";
    else
        item += R"("lifecycleEvent":")" + lifecycle + R"("})";
    return item;
}

inline std::string batch(const std::string& items) { return R"({"value":[)" + items + "]}"; }

}  // namespace calsync::test
