#include "webhook/cgi.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <ctime>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>

#include "db/database.hpp"
#include "errors.hpp"

namespace calsync {
namespace {

std::string get(const Environment& env, const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string{} : it->second;
}

std::optional<uint64_t> parse_length(const std::string& text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    uint64_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + uint64_t(c - '0');
    }
    return n;
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 202: return "Accepted";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 503: return "Service Unavailable";
        default: return "Unknown";
    }
}

// The configuration and the database, loaded when a route first needs them:
// the Graph handshake must work even when neither is usable yet.
class LazyStore {
public:
    explicit LazyStore(const Environment& env) : env_(env) {}

    const ReceiverConfig& config() {
        if (!config_) config_ = load_receiver_config(env_);
        return *config_;
    }

    // Opens the existing database; never creates one (that is calsync's job,
    // with the right owner and mode).
    Database& database() {
        if (db_) return *db_;
        const auto& path = config().db;
        if (!std::filesystem::exists(path)) throw ConfigError("database " + path.string() + " does not exist");
        db_ = Database::open(path);
        // As the only connection, closing would checkpoint the whole WAL and
        // delete it, on every request; the auto-checkpoint at commit (every
        // 1000 pages) keeps the WAL bounded instead.
        sqlite3_db_config(db_->sql().getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        return *db_;
    }

private:
    const Environment& env_;
    std::optional<ReceiverConfig> config_;
    std::unique_ptr<Database> db_;
};

}  // namespace

Request request_from_cgi(const Environment& env) {
    Request r;
    r.method = get(env, "REQUEST_METHOD");
    r.path_info = get(env, "PATH_INFO");
    r.query = get(env, "QUERY_STRING");
    r.content_type = get(env, "CONTENT_TYPE");
    if (auto length = get(env, "CONTENT_LENGTH"); !length.empty()) {
        r.content_length = parse_length(length);
        if (!r.content_length) r.malformed = "malformed Content-Length";
    }
    for (const auto& [name, value] : env) {
        if (name.rfind("HTTP_", 0) != 0 || name.size() == 5) continue;
        std::string header = name.substr(5);
        for (char& c : header)
            if (c == '_') c = '-';
        r.headers[header] = value;
    }
    return r;
}

void read_body(Request& request, std::istream& in) {
    uint64_t n = request.content_length.value_or(0);
    if (n == 0 || n > body_limit(request.path_info)) return;
    request.body.resize(n);
    in.read(request.body.data(), std::streamsize(n));
    if (uint64_t(in.gcount()) != n) {
        request.body.resize(size_t(in.gcount()));
        request.malformed = "body shorter than Content-Length";
    }
}

std::string cgi_response(const Response& response) {
    std::string out = "Status: " + std::to_string(response.status) + " " + reason_phrase(response.status) + "\r\n";
    out += "Content-Type: " + response.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

int run_cgi(const Environment& env, std::istream& in, std::ostream& out) {
    Request request = request_from_cgi(env);
    read_body(request, in);
    LazyStore store(env);
    ReceiverServices services{
        [&]() -> Database& { return store.database(); },
        [&] { touch_trigger(store.config().queue_trigger.string()); },
        [] { return int64_t(std::time(nullptr)); },
    };
    out << cgi_response(handle(request, services)) << std::flush;
    return out ? 0 : 1;
}

}  // namespace calsync
