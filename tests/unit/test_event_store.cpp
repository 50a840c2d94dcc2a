// sync/event_store.hpp and sync/lease.hpp against a real SQLite file: pages
// apply idempotently, full syncs delete what the provider no longer has, and
// every real change lands in the change log exactly once, in order.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "store/calendars.hpp"
#include "support.hpp"
#include "sync/event_json.hpp"
#include "sync/event_store.hpp"
#include "sync/lease.hpp"

using namespace calsync;
using calsync::test::TempDir;

namespace {

struct Fixture {
    TempDir dir;
    std::unique_ptr<Database> db = Database::open(dir / "calsync.db");
    CalendarRef cal;
    Fixture() {
        db->sql().exec("INSERT INTO organizations VALUES ('acme', 0)");
        db->sql().exec("INSERT INTO integrations (id, org_id, provider, account_id, account_email, status, created_at, "
                       "updated_at) VALUES (7, 'acme', 'google', 'sub', 'a@example.com', 'connected', 0, 0)");
        CalendarStore(*db).save_discovered(7, {{"a@example.com", "Primary", "UTC", true}}, {}, 0);
        cal = {CalendarStore(*db).list(7)[0].id, 7, "a@example.com"};
    }
    int64_t sql_int(const std::string& sql) { return db->sql().execAndGet(sql).getInt64(); }
    std::vector<std::string> ids() {
        SQLite::Statement q(db->sql(), "SELECT event_id FROM events ORDER BY event_id");
        std::vector<std::string> out;
        while (q.executeStep()) out.push_back(q.getColumn(0).getString());
        return out;
    }
    // Each change's `event` as `changes --json` carries it, in seq order ("" for NULL).
    std::vector<std::string> snapshots() {
        SQLite::Statement q(db->sql(), "SELECT coalesce(" + kChangeEventSql + ", '') FROM change_log cl ORDER BY seq");
        std::vector<std::string> out;
        while (q.executeStep()) out.push_back(q.getColumn(0).getString());
        return out;
    }
    std::string event_json(const std::string& id) {
        SQLite::Statement q(db->sql(), "SELECT " + kEventJsonSql + " " + kEventJoinSql + " WHERE e.event_id = ?");
        q.bind(1, id);
        return q.executeStep() ? q.getColumn(0).getString() : std::string();
    }
    std::vector<std::string> feed() {
        SQLite::Statement q(db->sql(), "SELECT op || ':' || event_id FROM change_log ORDER BY seq");
        std::vector<std::string> out;
        while (q.executeStep()) out.push_back(q.getColumn(0).getString());
        return out;
    }
};

std::string item(const std::string& id, const std::string& summary, const std::string& extra = "") {
    return "{\"id\":\"" + id + "\",\"summary\":\"" + summary +
           "\",\"start\":{\"dateTime\":\"2026-11-24T10:00:00Z\"},\"end\":{\"dateTime\":\"2026-11-24T11:00:00Z\"}" +
           extra + "}";
}

std::string page(const std::vector<std::string>& items, const std::string& tail) {
    std::string out = "{\"items\":[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
    return out + "]," + tail + "}";
}

}  // namespace

TEST_CASE("applying a page twice changes nothing and logs each change once", "[sync][store]") {
    Fixture f;
    EventStore store(*f.db, f.cal);
    PageParser parser;
    int64_t gen = store.begin_full_sync(100);
    std::string body = page({item("e1", "One"), item("e2", "Two")}, R"("nextSyncToken":"t1")");
    CursorUpdate last{std::string("t1"), true, std::nullopt};
    ApplyStats first = store.apply(parser.parse_google(body), gen, last, 100);
    CHECK(first.upserts == 2);
    ApplyStats again = store.apply(parser.parse_google(body), gen, last, 101);
    CHECK(again.upserts == 0);
    CHECK(again.unchanged == 2);
    CHECK(f.ids() == std::vector<std::string>{"e1", "e2"});
    CHECK(f.feed() == std::vector<std::string>{"upsert:e1", "upsert:e2"});

    // The snapshot in the feed is the event as `events --json` shows it.
    auto j = nlohmann::json::parse(f.snapshots().at(0));
    CHECK(j["id"] == "e1");
    CHECK(j["summary"] == "One");
    CHECK(j["calendar"] == "a@example.com");
    CHECK(j["provider"] == "google");
    CHECK(j["integration"] == 7);
    CHECK(j["all_day"] == false);
    CHECK(j["recurrence"].is_null());
    CHECK(j["start"] == "2026-11-24T10:00:00Z");

    SQLite::Statement c(f.db->sql(), "SELECT sync_cursor FROM calendars WHERE id = ?");
    c.bind(1, f.cal.id);
    REQUIRE(c.executeStep());
    CHECK(c.getColumn(0).getString() == "t1");
}

TEST_CASE("updates and removals are logged; removing a series removes its exceptions", "[sync][store]") {
    Fixture f;
    EventStore store(*f.db, f.cal);
    PageParser parser;
    int64_t gen = store.begin_full_sync(100);
    store.apply(parser.parse_google(page({item("s", "Series", R"(,"recurrence":["RRULE:FREQ=DAILY;COUNT=3"])"),
                                          item("s_1", "Moved", R"J(,"recurringEventId":"s","originalStartTime":{"dateTime":"2026-11-25T10:00:00Z"})J"),
                                          item("x", "Other")},
                                         R"("nextSyncToken":"t1")")),
                gen, {std::string("t1"), true, std::nullopt}, 100);
    store.apply(parser.parse_google(page({item("x", "Other, renamed"), R"J({"id":"s","status":"cancelled"})J",
                                          R"J({"id":"never-seen","status":"cancelled"})J"},
                                         R"("nextSyncToken":"t2")")),
                gen, {std::string("t2"), false, std::nullopt}, 200);
    CHECK(f.ids() == std::vector<std::string>{"x"});
    CHECK(f.feed() == std::vector<std::string>{"upsert:s", "upsert:s_1", "upsert:x", "upsert:x", "delete:s",
                                               "delete:s_1"});
}

TEST_CASE("a full sync deletes local events the provider no longer lists, with tombstones", "[sync][store]") {
    Fixture f;
    EventStore store(*f.db, f.cal);
    PageParser parser;
    int64_t g1 = store.begin_full_sync(100);
    store.apply(parser.parse_google(page({item("a", "A"), item("b", "B"), item("c", "C")}, R"("nextSyncToken":"t1")")),
                g1, {std::string("t1"), true, std::nullopt}, 100);
    // A crashed full sync: took a generation, applied one page, never finished.
    int64_t crashed = store.begin_full_sync(150);
    store.apply(parser.parse_google(page({item("a", "A")}, R"("nextPageToken":"p2")")), crashed, {}, 150);
    // The next full sync gets a fresh generation, so "a" seen by the crashed one does not count.
    int64_t g3 = store.begin_full_sync(200);
    CHECK(g3 > crashed);
    store.apply(parser.parse_google(page({item("b", "B")}, R"("nextPageToken":"p2")")), g3, {}, 200);
    CHECK(f.ids() == std::vector<std::string>{"a", "b", "c"});  // nothing deleted mid-round
    store.apply(parser.parse_google(page({item("c", "C2")}, R"("nextSyncToken":"t3")")), g3,
                {std::string("t3"), true, std::nullopt}, 201);
    CHECK(f.ids() == std::vector<std::string>{"b", "c"});
    auto feed = f.feed();
    CHECK(feed.back() == "delete:a");
    CHECK(std::count(feed.begin(), feed.end(), "upsert:c") == 2);
}

TEST_CASE("the sync lease admits one holder until it expires", "[sync][lease]") {
    Fixture f;
    auto other = Database::open(f.dir / "calsync.db");  // a second connection, as another process
    {
        SyncLease a(*f.db, 7, 1000);
        REQUIRE(a.held());
        SyncLease b(*other, 7, 1000);
        CHECK_FALSE(b.held());
        CHECK(a.renew(1010));
        // Expired (a holder that died): another may take it; the old holder then loses it.
        SyncLease c(*other, 7, 1010 + SyncLease::kTtl);
        CHECK(c.held());
        CHECK_FALSE(a.renew(1010 + SyncLease::kTtl + 1));
    }
    SyncLease d(*f.db, 7, 2000);  // released on destruction
    CHECK(d.held());
}

TEST_CASE("a lease is written again only after a quarter of its TTL", "[sync][lease]") {
    Fixture f;
    auto expires = [&] { return f.sql_int("SELECT expires_at FROM sync_leases WHERE integration_id = 7"); };
    SyncLease a(*f.db, 7, 1000);
    REQUIRE(a.held());
    CHECK(expires() == 1000 + SyncLease::kTtl);
    CHECK(a.renew(1000 + SyncLease::kTtl / 4 - 1));
    CHECK(expires() == 1000 + SyncLease::kTtl);  // not written: 3/4 of the TTL left
    CHECK(a.renew(1000 + SyncLease::kTtl / 4));
    CHECK(expires() == 1000 + SyncLease::kTtl / 4 + SyncLease::kTtl);
}

TEST_CASE("items apply in page order: a later removal or re-add of the same id wins", "[sync][store]") {
    Fixture f;
    EventStore store(*f.db, f.cal);
    PageParser parser;
    int64_t gen = store.begin_full_sync(100);
    store.apply(parser.parse_graph(R"J({"value":[
        {"id":"m1","type":"occurrence","seriesMasterId":"M","start":{"dateTime":"2026-11-24T10:00:00"},"end":{"dateTime":"2026-11-24T11:00:00"}},
        {"id":"m1","@removed":{"reason":"deleted"}},
        {"id":"m2","@removed":{"reason":"deleted"}},
        {"id":"m2","type":"occurrence","seriesMasterId":"M","start":{"dateTime":"2026-11-25T10:00:00"},"end":{"dateTime":"2026-11-25T11:00:00"}},
        {"id":"M","@removed":{"reason":"deleted"}}
      ],"@odata.deltaLink":"d1"})J"),
                gen, {std::string("d1"), true, std::nullopt}, 100);
    // Graph's removal of an id does not cascade to occurrences naming it as their series.
    CHECK(f.ids() == std::vector<std::string>{"m2"});
}

TEST_CASE("the change-log snapshot equals `events --json` byte for byte", "[sync][store]") {
    Fixture f;
    EventStore store(*f.db, f.cal);
    PageParser parser;
    int64_t gen = store.begin_full_sync(100);
    // Escapes, non-ASCII, a missing location, an all-day series with rules, an exception.
    std::string series = R"({"id":"s1","summary":"Caf\u00e9 \"weekly\"\n\ttab","location":"Room 1",)"
                         R"("start":{"date":"2026-11-24"},"end":{"date":"2026-11-25"},"updated":"2026-11-01T00:00:00Z",)"
                         R"("etag":"\"e1\"","recurrence":[ "RRULE:FREQ=WEEKLY" , "EXDATE;VALUE=DATE:20261201" ]})";
    std::string exception = R"({"id":"s1_x","recurringEventId":"s1","originalStartTime":{"date":"2026-12-08"},)"
                            R"("start":{"dateTime":"2026-12-08T09:00:00+01:00"},"end":{"dateTime":"2026-12-08T10:00:00+01:00"}})";
    std::string body = page({series, exception, item("e3", "Ünïcødé ✓")}, R"("nextSyncToken":"t1")");
    store.apply(parser.parse_google(body), gen, {std::string("t1"), true, std::nullopt}, 100);
    SQLite::Statement logged(f.db->sql(), "SELECT event_id, " + kChangeEventSql + " FROM change_log cl ORDER BY seq");
    int n = 0;
    while (logged.executeStep()) {
        CHECK(logged.getColumn(1).getString() == f.event_json(logged.getColumn(0).getString()));
        n++;
    }
    CHECK(n == 3);
}

TEST_CASE("a superseded change keeps the snapshot of its time; the latest reads the event row", "[sync][store]") {
    Fixture f;
    EventStore store(*f.db, f.cal);
    PageParser parser;
    int64_t gen = store.begin_full_sync(100);
    auto apply = [&](const std::vector<std::string>& items, int64_t now) {
        store.apply(parser.parse_google(page(items, R"("nextSyncToken":"t")")), gen, {std::string("t"), false, std::nullopt},
                    now);
    };
    apply({item("a", "First"), item("b", "Bee")}, 100);
    std::string a1 = f.event_json("a"), b1 = f.event_json("b");
    // Nothing copied yet: the rows hold their changes' state.
    CHECK(f.sql_int("SELECT count(*) FROM change_log WHERE event IS NOT NULL") == 0);
    CHECK(f.snapshots() == std::vector<std::string>{a1, b1});

    apply({item("a", "Second")}, 200);
    std::string a2 = f.event_json("a");
    REQUIRE(a2 != a1);
    CHECK(f.snapshots() == std::vector<std::string>{a1, b1, a2});
    apply({item("a", "Second")}, 250);  // unchanged: no new change, nothing copied
    apply({item("a", "Second", R"(,"location":"Room 2")")}, 300);
    std::string a3 = f.event_json("a");
    CHECK(f.snapshots() == std::vector<std::string>{a1, b1, a2, a3});

    // A removal, a full sync's stale deletion and a purge keep every snapshot.
    apply({R"J({"id":"a","status":"cancelled"})J"}, 400);
    CHECK(f.snapshots() == std::vector<std::string>{a1, b1, a2, a3, ""});
    CHECK(f.feed().back() == "delete:a");
    apply({item("c", "Sea")}, 500);
    std::string c1 = f.event_json("c");
    CalendarStore(*f.db).remove_all(7, 600);
    CHECK(f.ids().empty());
    CHECK(f.snapshots() == std::vector<std::string>{a1, b1, a2, a3, "", c1, "", ""});
    CHECK(f.feed() == std::vector<std::string>{"upsert:a", "upsert:b", "upsert:a", "upsert:a", "delete:a", "upsert:c",
                                               "delete:b", "delete:c"});
    CHECK(f.sql_int("SELECT count(*) FROM change_log WHERE op = 'upsert' AND event IS NULL") == 0);
}

TEST_CASE("change-log seqs follow page order, and a seq is never used twice", "[sync][store]") {
    Fixture f;
    EventStore store(*f.db, f.cal);
    PageParser parser;
    int64_t gen = store.begin_full_sync(100);
    std::vector<std::string> items;
    std::vector<std::string> want;
    for (int i = 0; i < 150; ++i) {
        std::string id = "e" + std::to_string(1000 + i);
        items.push_back(item(id, "Event " + std::to_string(i)));
        want.push_back("upsert:" + id);
    }
    // In the same page: e1000 changed again, e1001 removed.
    items.push_back(item("e1000", "Changed"));
    want.push_back("upsert:e1000");
    items.push_back(R"J({"id":"e1001","status":"cancelled"})J");
    want.push_back("delete:e1001");
    store.apply(parser.parse_google(page(items, R"("nextSyncToken":"t1")")), gen, {std::string("t1"), true, std::nullopt},
                100);
    CHECK(f.feed() == want);
    CHECK(f.sql_int("SELECT min(seq) FROM change_log") == 1);
    CHECK(f.sql_int("SELECT max(seq) FROM change_log") == 152);
    CHECK(f.sql_int("SELECT count(*) FROM change_log WHERE integration_id = 7 AND calendar_id = " +
                    std::to_string(f.cal.id) + " AND provider_calendar_id = 'a@example.com' AND at = 100") == 152);
    auto snaps = f.snapshots();
    REQUIRE(snaps.size() == 152);
    CHECK(nlohmann::json::parse(snaps[0])["summary"] == "Event 0");
    CHECK(nlohmann::json::parse(snaps[149])["summary"] == "Event 149");
    CHECK(nlohmann::json::parse(snaps[150])["summary"] == "Changed");
    CHECK(snaps[151].empty());
    CHECK(f.sql_int("SELECT count(*) FROM events") == 149);
    CHECK(f.sql_int("SELECT value FROM meta WHERE name = 'change_log_seq'") == 152);

    // Rows removed by hand (the newest among them) do not bring their numbers back.
    f.db->sql().exec("DELETE FROM change_log WHERE seq > 100");
    store.apply(parser.parse_google(page({item("new", "New")}, R"("nextSyncToken":"t2")")), gen,
                {std::string("t2"), false, std::nullopt}, 200);
    CHECK(f.sql_int("SELECT seq FROM change_log WHERE event_id = 'new'") == 153);
    // Nor does a purge, which numbers its tombstones itself.
    f.db->sql().exec("DELETE FROM change_log WHERE seq > 100");
    CalendarStore(*f.db).remove_all(7, 300);
    CHECK(f.sql_int("SELECT min(seq) FROM change_log WHERE at = 300") == 154);
    CHECK(f.sql_int("SELECT count(*) FROM change_log WHERE at = 300") == 150);  // 149 + "new"
    CHECK(f.sql_int("SELECT value FROM meta WHERE name = 'change_log_seq'") == 303);
}
