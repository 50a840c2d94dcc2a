// store/webhooks.hpp against a real SQLite file: redeliveries are stored once,
// claims lease items oldest first, dead workers' items come back, failures
// back off and end as dead letters.
#include <catch2/catch.hpp>

#include "store/webhooks.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::TempDir;

namespace {

Notification google(const std::string& msg, const std::string& state = "exists") {
    return {"google", "chan-1", msg, state == "sync" ? "sync" : "change", state, "{}", "digest"};
}

std::string status_of(Database& db, int64_t id) {
    SQLite::Statement q(db.sql(), "SELECT status FROM webhook_queue WHERE id = ?");
    q.bind(1, id);
    return q.executeStep() ? q.getColumn(0).getString() : "";
}

}  // namespace

TEST_CASE("a redelivered notification is queued once; items without a message id never collide", "[webhooks]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    WebhookStore store(*db);
    CHECK(store.enqueue({google("1", "sync"), google("5")}, 100) == 2);
    CHECK(store.enqueue({google("5"), google("9")}, 101) == 1);
    Notification graph{"microsoft", "sub-1", std::nullopt, "change", "updated", "{}", "d"};
    CHECK(store.enqueue({graph, graph}, 102) == 2);
    CHECK(store.counts().pending == 5);
}

TEST_CASE("claim leases due items oldest first; reclaim returns a dead worker's items", "[webhooks]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    WebhookStore store(*db);
    store.enqueue({google("1"), google("2"), google("3")}, 100);
    auto a = store.claim("worker-a", 2, 60, 100);
    REQUIRE(a.size() == 2);
    CHECK(a[0].n.message_id == "1");
    CHECK(a[1].n.message_id == "2");
    auto b = store.claim("worker-b", 10, 60, 100);
    REQUIRE(b.size() == 1);
    CHECK(b[0].n.message_id == "3");
    CHECK(store.claim("worker-c", 10, 60, 100).empty());

    CHECK(store.reclaim(159) == 0);  // leases still live
    store.renew_claims("worker-b", 60, 150);
    CHECK(store.reclaim(160) == 2);  // worker-a's lease ran out; worker-b renewed
    auto c = store.claim("worker-c", 10, 60, 160);
    REQUIRE(c.size() == 2);
    CHECK(c[0].id == a[0].id);
    CHECK(store.counts().processing == 3);
}

TEST_CASE("failed items back off, die after max attempts and can be revived", "[webhooks]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    WebhookStore store(*db);
    store.enqueue({google("1")}, 100);
    int64_t id = store.claim("w", 10, 60, 100).at(0).id;
    CHECK(store.retry_later({id}, "HTTP 500", 130, 3, 100) == 0);
    CHECK(status_of(*db, id) == "pending");
    CHECK(store.claim("w", 10, 60, 129).empty());  // not due yet
    REQUIRE(store.claim("w", 10, 60, 130).size() == 1);
    CHECK(store.retry_later({id}, "HTTP 500", 200, 3, 130) == 0);
    REQUIRE(store.claim("w", 10, 60, 200).size() == 1);
    CHECK(store.retry_later({id}, "HTTP 500", 300, 3, 200) == 1);
    CHECK(status_of(*db, id) == "dead");
    CHECK(store.counts().dead == 1);
    CHECK(store.revive_dead(400) == 1);
    REQUIRE(store.claim("w", 10, 60, 400).size() == 1);
    store.finish({id}, "done", std::nullopt, 400);
    CHECK(status_of(*db, id) == "done");
    CHECK(store.prune(400) == 0);
    CHECK(store.prune(401) == 1);
}

TEST_CASE("channels are found by provider and id and cascade with their integration", "[webhooks]") {
    TempDir dir;
    auto db = Database::open(dir / "calsync.db");
    db->sql().exec("INSERT INTO organizations VALUES ('acme', 0)");
    db->sql().exec("INSERT INTO integrations (id, org_id, provider, account_id, account_email, status, created_at, "
                   "updated_at) VALUES (7, 'acme', 'google', 'sub', 'a@example.com', 'connected', 0, 0)");
    WebhookStore store(*db);
    WebhookChannel c;
    c.integration_id = 7;
    c.provider = "google";
    c.channel_id = "uuid-1";
    c.resource_id = "res";
    c.secret_digest = "ab";
    c.expires_at = 1000;
    int64_t id = store.add_channel(c);
    REQUIRE(store.find_channel("google", "uuid-1"));
    CHECK_FALSE(store.find_channel("microsoft", "uuid-1"));
    CHECK(store.find_channel("google", "uuid-1")->id == id);
    store.set_expiry(id, 2000, 500);
    CHECK(store.channels(7).at(0).expires_at == 2000);
    db->sql().exec("DELETE FROM integrations WHERE id = 7");
    CHECK(store.all_channels().empty());
}
