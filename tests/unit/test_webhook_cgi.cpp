// webhook/cgi.hpp and config/receiver_config.hpp: the request from a CGI
// environment, the body read exactly, the CGI reply, the light config loader,
// and whole runs of run_cgi against a real database file.
#include <catch2/catch.hpp>

#include <sstream>

#include "config/receiver_config.hpp"
#include "receiver_support.hpp"
#include "webhook/cgi.hpp"

using namespace calsync;
using namespace calsync::test;

TEST_CASE("request_from_cgi maps the CGI variables and HTTP_* back to headers", "[cgi]") {
    Request r = request_from_cgi({{"REQUEST_METHOD", "POST"},
                                  {"PATH_INFO", "/google"},
                                  {"QUERY_STRING", "a=1"},
                                  {"CONTENT_TYPE", "application/json"},
                                  {"CONTENT_LENGTH", "0"},
                                  {"HTTP_X_GOOG_CHANNEL_ID", "chan-1"},
                                  {"HTTP_", "ignored"},
                                  {"HOME", "/root"}});
    CHECK(r.method == "POST");
    CHECK(r.path_info == "/google");
    CHECK(r.query == "a=1");
    CHECK(r.content_type == "application/json");
    CHECK(r.content_length == uint64_t(0));
    CHECK(r.headers.size() == 1);
    CHECK(r.headers.at("X-Goog-Channel-ID") == "chan-1");
    CHECK(r.malformed.empty());

    CHECK_FALSE(request_from_cgi({}).content_length);
    for (const char* bad : {"-1", "1e3", "12 ", "99999999999999999999"})
        CHECK(request_from_cgi({{"CONTENT_LENGTH", bad}}).malformed == "malformed Content-Length");
}

TEST_CASE("read_body reads exactly Content-Length, and nothing over the route's limit", "[cgi]") {
    Request r = request_from_cgi({{"PATH_INFO", "/microsoft"}, {"CONTENT_LENGTH", "5"}});
    std::istringstream in("12345trailing");
    read_body(r, in);
    CHECK(r.body == "12345");

    Request short_body = request_from_cgi({{"PATH_INFO", "/microsoft"}, {"CONTENT_LENGTH", "10"}});
    std::istringstream few("123");
    read_body(short_body, few);
    CHECK(short_body.body == "123");
    CHECK(short_body.malformed == "body shorter than Content-Length");

    Request over = request_from_cgi({{"PATH_INFO", "/google"}, {"CONTENT_LENGTH", "5000"}});
    std::istringstream big(std::string(5000, 'x'));
    read_body(over, big);
    CHECK(over.body.empty());
    CHECK(big.tellg() == 0);
}

TEST_CASE("cgi_response writes Status, the headers and the body", "[cgi]") {
    Response r;
    r.status = 405;
    r.body = "method not allowed\n";
    r.headers.emplace_back("Allow", "POST");
    CHECK(cgi_response(r) ==
          "Status: 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\n"
          "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nAllow: POST\r\n\r\nmethod not allowed\n");
}

TEST_CASE("load_receiver_config reads db and queue-trigger only, never the secret files", "[cgi]") {
    TempDir dir;
    write_file(dir / "calsync.conf",
               "db = \"/srv/cal/calsync.db\"\nkey-file = \"/root/only/calsync.key\"\n"
               "[google]\nclient-secret-file = \"/nonexistent/secret\"\n[microsoft]\nclient-secret = \"s\"\n");
    Environment env{{"CALSYNC_CONFIG", (dir / "calsync.conf").string()}};
    ReceiverConfig c = load_receiver_config(env);
    CHECK(c.db == "/srv/cal/calsync.db");
    CHECK(c.queue_trigger == "/srv/cal/queue.trigger");

    env["CALSYNC_DB"] = "/other/calsync.db";
    CHECK(load_receiver_config(env).queue_trigger == "/other/queue.trigger");
    env["CALSYNC_QUEUE_TRIGGER"] = "/run/calsync/trigger";
    CHECK(load_receiver_config(env).queue_trigger == "/run/calsync/trigger");

    write_file(dir / "calsync.conf", "queue-trigger = \"/run/t\"\n");
    CHECK(load_receiver_config({{"CALSYNC_CONFIG", (dir / "calsync.conf").string()}, {"STATE_DIRECTORY", "/var/lib/x"}})
              .db == "/var/lib/x/calsync.db");

    CHECK_THROWS_AS(load_receiver_config({{"CALSYNC_CONFIG", (dir / "missing.conf").string()}}), ConfigError);
    write_file(dir / "calsync.conf", "db = [\"a\", \"b\"]\n");
    CHECK_THROWS_AS(load_receiver_config({{"CALSYNC_CONFIG", (dir / "calsync.conf").string()}}), ConfigError);
}

namespace {

struct CgiRun {
    std::string out;
    int status = 0;
};

CgiRun run(const Environment& env, const std::string& body = {}) {
    std::istringstream in(body);
    std::ostringstream out;
    CgiRun r;
    r.status = run_cgi(env, in, out);
    r.out = out.str();
    return r;
}

}  // namespace

TEST_CASE("run_cgi: a notification through the CGI layer is queued and touches the trigger", "[cgi]") {
    Hook hook;
    LogCapture log;
    write_file(hook.dir / "calsync.conf", "db = \"" + (hook.dir / "calsync.db").string() + "\"\n");
    Environment env{{"CALSYNC_CONFIG", (hook.dir / "calsync.conf").string()},
                    {"REQUEST_METHOD", "POST"},
                    {"PATH_INFO", "/google"},
                    {"CONTENT_LENGTH", "0"},
                    {"HTTP_X_GOOG_CHANNEL_ID", "chan-1"},
                    {"HTTP_X_GOOG_RESOURCE_ID", "res-1"},
                    {"HTTP_X_GOOG_RESOURCE_STATE", "exists"},
                    {"HTTP_X_GOOG_MESSAGE_NUMBER", "7"},
                    {"HTTP_X_GOOG_CHANNEL_TOKEN", kGoogleToken}};
    CgiRun r = run(env);
    CHECK(r.status == 0);
    CHECK(r.out.rfind("Status: 200 OK\r\n", 0) == 0);
    CHECK(hook.rows() == 1);
    CHECK(std::filesystem::exists(hook.dir / "queue.trigger"));

    std::string body = batch(graph_item("sub-1", kClientState));
    Environment graph{{"CALSYNC_CONFIG", (hook.dir / "calsync.conf").string()},
                      {"REQUEST_METHOD", "POST"},
                      {"PATH_INFO", "/microsoft"},
                      {"CONTENT_TYPE", "application/json"},
                      {"CONTENT_LENGTH", std::to_string(body.size())}};
    CHECK(run(graph, body).out.rfind("Status: 202 Accepted\r\n", 0) == 0);
    CHECK(hook.rows() == 2);
    CHECK(log.text().find(kGoogleToken) == std::string::npos);
    CHECK(log.text().find(kClientState) == std::string::npos);
}

TEST_CASE("run_cgi never creates a missing database, and answers the handshake without one", "[cgi]") {
    TempDir dir;
    LogCapture log;
    Environment env{{"CALSYNC_CONFIG", "/nonexistent/calsync.conf"},
                    {"CALSYNC_DB", (dir / "calsync.db").string()},
                    {"REQUEST_METHOD", "GET"},
                    {"PATH_INFO", "/healthz"}};
    CHECK(run(env).out.rfind("Status: 503 Service Unavailable\r\n", 0) == 0);  // the named config file is missing
    write_file(dir / "empty.conf", "");
    env["CALSYNC_CONFIG"] = (dir / "empty.conf").string();
    CgiRun r = run(env);
    CHECK(r.out.rfind("Status: 503 Service Unavailable\r\n", 0) == 0);
    CHECK(r.out.find("\r\n\r\ndatabase unavailable\n") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "calsync.db"));
    CHECK(log.text().find("does not exist") != std::string::npos);

    env["REQUEST_METHOD"] = "POST";
    env["PATH_INFO"] = "/microsoft";
    env["QUERY_STRING"] = "validationToken=hello%20world";
    CHECK(run(env).out ==
          "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nCache-Control: no-store\r\n"
          "X-Content-Type-Options: nosniff\r\n\r\nhello world");
}
