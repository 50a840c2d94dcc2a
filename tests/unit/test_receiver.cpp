// webhook/receiver.hpp against a real SQLite file: every route and every bad
// input, the digest checks, redelivery, the Graph handshake and the
// 202-with-drops rule, and no secret in any reply or log line.
#include <catch2/catch.hpp>

#include <random>

#include "receiver_support.hpp"

using namespace calsync;
using namespace calsync::test;

TEST_CASE("a valid Google notification is queued once and asks for processing", "[receiver]") {
    Hook hook;
    Response r = hook.send(google_request("5"));
    CHECK(r.status == 200);
    CHECK(r.body == "queued\n");
    CHECK(r.queued == 1);
    CHECK(hook.triggers == 1);
    CHECK(hook.column("provider || ' ' || channel_id || ' ' || message_id || ' ' || kind || ' ' || state") ==
          "google chan-1 5 change exists");
    CHECK(hook.column("secret_digest") == sha256_hex(kGoogleToken));
    std::string payload = hook.column("payload");
    CHECK(payload.find("\"resource_uri\":\"https://www.googleapis.com/calendar/v3/calendars/primary/events\"") !=
          std::string::npos);
    CHECK(payload.find(kGoogleToken) == std::string::npos);

    Response again = hook.send(google_request("5"));
    CHECK(again.status == 200);
    CHECK(again.body == "already queued\n");
    CHECK(again.queued == 0);
    CHECK(hook.triggers == 1);
    CHECK(hook.rows() == 1);

    CHECK(hook.send(google_request("1", "sync")).status == 200);
    CHECK(hook.column("kind || ' ' || state") == "sync sync");
    CHECK(hook.send(google_request("9", "not_exists")).status == 200);
    CHECK(hook.column("kind || ' ' || state") == "change not_exists");
    CHECK(hook.rows() == 3);
}

TEST_CASE("header names are matched without regard to case", "[receiver]") {
    Hook hook;
    Request r = google_request();
    RequestHeaders lower;
    for (auto& [name, value] : r.headers) {
        std::string n = name;
        for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
        lower[n] = value;
    }
    r.headers = lower;
    CHECK(hook.send(r).status == 200);
}

TEST_CASE("Google notifications with missing or malformed headers get 400 without touching the database",
          "[receiver]") {
    Hook hook;
    for (const char* name : {"X-Goog-Channel-ID", "X-Goog-Resource-ID", "X-Goog-Resource-State", "X-Goog-Message-Number"}) {
        Request r = google_request();
        r.headers.erase(r.headers.find(name));
        Response res = hook.send(r);
        CHECK(res.status == 400);
        CHECK(res.body == "missing " + std::string(name) + "\n");
    }
    auto with = [](const char* name, const char* value) {
        Request r = google_request();
        r.headers[name] = value;
        return r;
    };
    CHECK(hook.send(with("X-Goog-Message-Number", "12a")).body == "malformed X-Goog-Message-Number\n");
    CHECK(hook.send(with("X-Goog-Message-Number", "")).status == 400);
    CHECK(hook.send(with("X-Goog-Message-Number", "123456789012345678901")).status == 400);
    CHECK(hook.send(with("X-Goog-Channel-ID", "chan 1")).body == "malformed X-Goog-Channel-ID\n");
    CHECK(hook.send(with("X-Goog-Channel-ID", "")).status == 400);
    CHECK(hook.send(with("X-Goog-Resource-ID", std::string(300, 'r').c_str())).status == 400);
    CHECK(hook.send(with("X-Goog-Resource-State", "add")).body == "unknown X-Goog-Resource-State\n");
    CHECK(hook.opens == 0);
    CHECK(hook.rows() == 0);
}

TEST_CASE("unknown channels, foreign resource ids and bad tokens are refused", "[receiver]") {
    Hook hook;
    Request unknown = google_request();
    unknown.headers["X-Goog-Channel-ID"] = "chan-2";
    CHECK(hook.send(unknown).status == 404);
    CHECK(hook.send(unknown).body == "unknown channel\n");

    Request foreign = google_request();
    foreign.headers["X-Goog-Resource-ID"] = "res-2";
    CHECK(hook.send(foreign).status == 403);

    Response bad = hook.send(google_request("5", "exists", kGoogleToken + "x"));
    CHECK(bad.status == 403);
    CHECK(bad.body == "bad token\n");
    CHECK(hook.send(google_request("5", "exists", "")).status == 403);
    Request tokenless = google_request();
    tokenless.headers.erase(tokenless.headers.find("X-Goog-Channel-Token"));
    CHECK(hook.send(tokenless).status == 403);

    // A Graph subscription id is not a Google channel.
    Request cross = google_request();
    cross.headers["X-Goog-Channel-ID"] = "sub-1";
    CHECK(hook.send(cross).status == 404);
    CHECK(hook.rows() == 0);
    CHECK(hook.triggers == 0);
}

TEST_CASE("routes: unknown paths, wrong methods, oversize bodies, broken requests", "[receiver]") {
    Hook hook;
    Request r = google_request();
    for (const char* path : {"", "/", "/google/", "/GOOGLE", "/microsoft/lifecycle/x", "/oauth/google/callback"}) {
        r.path_info = path;
        CHECK(hook.send(r).status == 404);
    }

    Request get = google_request();
    get.method = "GET";
    Response res = hook.send(get);
    CHECK(res.status == 405);
    REQUIRE(res.headers.size() == 1);
    CHECK(res.headers[0] == std::pair<std::string, std::string>{"Allow", "POST"});
    Request post_health = graph_request("", "/healthz");
    CHECK(hook.send(post_health).headers.at(0).second == "GET");

    Request big = google_request();
    big.content_length = body_limit("/google") + 1;  // announced, not read
    CHECK(hook.send(big).status == 413);
    Request small_body = google_request();
    small_body.body = "{}";
    small_body.content_length = 2;
    CHECK(hook.send(small_body).status == 200);  // Google sends none; a little is ignored

    CHECK(body_limit("/microsoft") == 1 << 20);
    CHECK(body_limit("/healthz") == 0);
    CHECK(body_limit("/nope") == 0);
    Request huge = graph_request(batch(graph_item("sub-1", kClientState)));
    huge.content_length = (1 << 20) + 1;
    CHECK(hook.send(huge).status == 413);

    Request broken = google_request();
    broken.malformed = "malformed Content-Length";
    Response b = hook.send(broken);
    CHECK(b.status == 400);
    CHECK(b.body == "malformed Content-Length\n");
    CHECK(hook.rows() == 1);
}

TEST_CASE("the Graph validation handshake echoes the decoded token, without the database", "[receiver]") {
    Hook hook;
    hook.down = true;
    for (const char* path : {"/microsoft", "/microsoft/lifecycle"}) {
        Response r = hook.send(validation_request(
            "Validation%3A+Testing%20client%20application%20reachability%20for%20subscription%20Request-Id%3A%20"
            "877cb92e-1%2B2",
            path));
        CHECK(r.status == 200);
        CHECK(r.content_type == "text/plain");
        CHECK(r.body == "Validation: Testing client application reachability for subscription Request-Id: 877cb92e-1+2");
    }
    CHECK(hook.opens == 0);

    std::string max_encoded;  // 3072 bytes encoded, 1024 decoded: the cap is on the decoded token
    for (int i = 0; i < 1024; ++i) max_encoded += "%41";
    CHECK(hook.send(validation_request(max_encoded)).body == std::string(1024, 'A'));
    Response too_long = hook.send(validation_request(max_encoded + "B"));
    CHECK(too_long.status == 400);
    CHECK(too_long.body == "validationToken too long\n");
    CHECK(hook.send(validation_request("")).status == 400);

    Request with_other_params = validation_request("abc");
    with_other_params.query = "acct=42&validationToken=a%26b%3Dc";
    CHECK(hook.send(with_other_params).body == "a&b=c");
}

TEST_CASE("a Graph batch is answered 202; only known subscriptions with the right clientState are queued",
          "[receiver]") {
    Hook hook;
    LogCapture log;
    std::string body = batch(graph_item("sub-1", kClientState) + "," + graph_item("sub-1", "wrong-state") + "," +
                             graph_item("sub-9", kClientState));
    Response r = hook.send(graph_request(body));
    CHECK(r.status == 202);
    CHECK(r.body == "accepted 1 of 3\n");
    CHECK(r.items == 3);
    CHECK(r.queued == 1);
    CHECK(hook.triggers == 1);
    CHECK(hook.rows() == 1);
    CHECK(hook.column("provider || ' ' || channel_id || ' ' || kind || ' ' || state") == "microsoft sub-1 change updated");
    CHECK(hook.column("message_id IS NULL") == "1");
    CHECK(hook.column("secret_digest") == sha256_hex(kClientState));
    std::string payload = hook.column("payload");
    CHECK(payload.find("clientState") == std::string::npos);
    CHECK(payload.find("\"resourceData\":{\"id\":\"e1\"}") != std::string::npos);

    std::string text = log.text();
    CHECK(text.find("dropped item 1 (subscription sub-1): clientState does not match") != std::string::npos);
    CHECK(text.find("dropped item 2 (subscription sub-9): unknown subscription") != std::string::npos);
    CHECK(text.find("POST /microsoft 202 items=3 queued=1") != std::string::npos);
    CHECK(text.find("wrong-state") == std::string::npos);
    CHECK(text.find(kClientState) == std::string::npos);

    // Graph items carry no reliable id: a redelivery is queued again.
    CHECK(hook.send(graph_request(batch(graph_item("sub-1", kClientState)))).queued == 1);
    CHECK(hook.rows() == 2);
}

TEST_CASE("a batch whose items are all dropped is still 202", "[receiver]") {
    Hook hook;
    for (const std::string& items :
         {std::string(), graph_item("sub-1", "nope"), graph_item("sub-2", kClientState),
          std::string(R"(1,"x",null,[],{},{"subscriptionId":"sub-1","clientState":")") + kClientState + "\"}",
          std::string(R"({"subscriptionId":"sub-1","changeType":"updated"})"),
          std::string(R"({"subscriptionId":"sub-1","changeType":"updated","clientState":null})"),
          std::string(R"({"subscriptionId":7,"changeType":"updated","clientState":")") + kClientState + "\"}"}) {
        Response r = hook.send(graph_request(batch(items)));
        CHECK(r.status == 202);
        CHECK(r.queued == 0);
    }
    CHECK(hook.rows() == 0);
    CHECK(hook.triggers == 0);
}

TEST_CASE("lifecycle items are queued as lifecycle on either Graph route", "[receiver]") {
    Hook hook;
    Response r = hook.send(graph_request(batch(graph_item("sub-1", kClientState, "reauthorizationRequired")),
                                         "/microsoft/lifecycle"));
    CHECK(r.status == 202);
    CHECK(hook.column("kind || ' ' || state") == "lifecycle reauthorizationRequired");
    CHECK(hook.send(graph_request(batch(graph_item("sub-1", kClientState, "missed")))).queued == 1);
    CHECK(hook.column("kind || ' ' || state") == "lifecycle missed");
    CHECK(hook.send(graph_request(batch(graph_item("sub-1", kClientState)), "/microsoft/lifecycle")).queued == 1);
    CHECK(hook.column("kind || ' ' || state") == "change updated");
}

TEST_CASE("bodies that are not a notification batch get 400, nothing queued", "[receiver]") {
    Hook hook;
    std::string deep = R"({"value":[)" + std::string(100, '[') + std::string(100, ']') + "]}";
    for (const std::string& body : {std::string(), std::string("not json"), std::string("{\"value\":["),
                                    std::string("[]"), std::string("{}"), std::string("\"value\""),
                                    std::string(R"({"value":{}})"), std::string(R"({"value":"x"})"),
                                    std::string("{\"value\":[]}\xff"), deep}) {
        Response r = hook.send(graph_request(body));
        CHECK(r.status == 400);
        CHECK((r.body == "malformed JSON\n" || r.body == "not a notification batch\n"));
    }
    Request plain = graph_request(batch(graph_item("sub-1", kClientState)));
    plain.content_type = "text/plain";
    CHECK(hook.send(plain).status == 415);
    plain.content_type = "Application/JSON";
    CHECK(hook.send(plain).status == 202);
    CHECK(hook.rows() == 1);
}

TEST_CASE("healthz answers 200 when the database answers, 503 otherwise", "[receiver]") {
    Hook hook;
    Request r;
    r.method = "GET";
    r.path_info = "/healthz";
    Response ok = hook.send(r);
    CHECK(ok.status == 200);
    CHECK(ok.body == "ok\n");
    hook.down = true;
    CHECK(hook.send(r).status == 503);
    hook.down = false;
    hook.db->sql().exec("DROP TABLE webhook_channels");
    Response broken = hook.send(r);
    CHECK(broken.status == 503);
    CHECK(broken.body == "database unavailable\n");
}

TEST_CASE("an unavailable database is a 503 for notifications, so the provider retries", "[receiver]") {
    Hook hook;
    LogCapture log;
    hook.down = true;
    CHECK(hook.send(google_request()).status == 503);
    CHECK(hook.send(graph_request(batch(graph_item("sub-1", kClientState)))).status == 503);
    CHECK(log.text().find("database is locked") != std::string::npos);
    hook.down = false;
    hook.db->sql().exec("DROP TABLE webhook_queue");
    CHECK(hook.send(google_request()).status == 503);
    CHECK(hook.triggers == 0);
}

TEST_CASE("a failed trigger does not fail the request", "[receiver]") {
    Hook hook;
    hook.services.queue_changed = [] { throw std::runtime_error("no trigger"); };
    CHECK(hook.send(google_request()).status == 200);
}

TEST_CASE("touch_trigger creates the file and moves its mtime; a bad path is reported", "[receiver]") {
    TempDir dir;
    LogCapture log;
    auto path = (dir / "queue.trigger").string();
    REQUIRE(touch_trigger(path));
    REQUIRE(std::filesystem::exists(path));
    auto old = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
    std::filesystem::last_write_time(path, old);
    REQUIRE(touch_trigger(path));
    CHECK(std::filesystem::last_write_time(path) > old);
    CHECK((file_mode(path) & 0007) == 0);
    CHECK_FALSE(touch_trigger((dir / "missing" / "queue.trigger").string()));
    CHECK(log.text().find("cannot touch the queue trigger") != std::string::npos);
}

TEST_CASE("no input makes the handler throw, crash or answer 5xx, and no reply or log shows a secret",
          "[receiver]") {
    Hook hook;
    LogCapture log;
    std::mt19937 rng(42);
    auto noise = [&](size_t max) {
        std::string s(rng() % (max + 1), '\0');
        for (char& c : s) c = char(rng() % 256);
        return s;
    };
    const std::string pieces[] = {"{", "}", "[", "]", "\"value\":", "\"subscriptionId\":\"sub-1\"",
                                  "\"clientState\":\"" + kClientState + "\"", "\"lifecycleEvent\":", ",", "\"",
                                  "null", "1e999", "\\u0000", "\xc3"};
    std::string replies;
    for (int i = 0; i < 600; ++i) {
        std::string body;
        for (int k = int(rng() % 20); k > 0; --k) body += pieces[rng() % std::size(pieces)];
        if (i % 3 == 0) body = noise(200);
        Request r = i % 2 ? graph_request(body, i % 4 == 1 ? "/microsoft" : "/microsoft/lifecycle")
                          : google_request(noise(4), i % 6 ? "exists" : noise(3), i % 5 ? kGoogleToken : noise(8));
        if (i % 7 == 0) r.query = noise(30);
        if (i % 11 == 0) r.headers[noise(10)] = noise(10);
        Response res = hook.send(r);
        CHECK(res.status < 500);
        replies += res.body;
    }
    CHECK(replies.find(kClientState) == std::string::npos);
    CHECK(replies.find(kGoogleToken) == std::string::npos);
    CHECK(log.text().find(kClientState) == std::string::npos);
    CHECK(log.text().find(kGoogleToken) == std::string::npos);
    CHECK(hook.rows("payload LIKE '%" + kClientState + "%'") == 0);
}
