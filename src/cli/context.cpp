#include "cli/context.hpp"

#include "http/curl_client.hpp"
#include "store/key_check.hpp"

namespace calsync {

Context::Context(GlobalOptions options, std::map<std::string, std::string> env, std::ostream& out)
    : options_(std::move(options)), env_(std::move(env)), out_(out), clock_(std::make_unique<SystemClock>()) {}

Context::~Context() = default;

const Config& Context::config() {
    if (!config_) config_ = load_config(options_.source, env_);
    return *config_;
}

Database& Context::db() {
    if (!db_) db_ = Database::open(config().db);
    return *db_;
}

const Key& Context::key() {
    if (!key_) {
        Key key = load_key_file(config().key_file);
        verify_key(db(), key, config().key_file.string());
        key_ = key;
    }
    return *key_;
}

HttpClient& Context::http() {
    if (!http_) {
        CurlOptions o;
        o.connect_timeout_seconds = config().connect_timeout_seconds;
        o.total_timeout_seconds = config().http_timeout_seconds;
        http_ = std::make_unique<CurlHttpClient>(o);
    }
    return *http_;
}

}  // namespace calsync
