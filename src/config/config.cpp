#include "config/config.hpp"

#include <curl/curl.h>

#include <fstream>
#include <memory>
#include <arpa/inet.h>
#include <set>
#include <sstream>

#include "config/receiver_config.hpp"
#include "errors.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace calsync {
namespace {

std::string trim(std::string s) {
    const char* ws = " \t\r\n";
    s.erase(0, s.find_first_not_of(ws));
    s.erase(s.find_last_not_of(ws) + 1);
    return s;
}

std::string read_secret_file(const std::string& key, const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(key + ": cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string value = trim(ss.str());
    if (value.empty()) throw ConfigError(key + ": " + path + " is empty");
    return value;
}

bool parse_bool(const std::string& key, const std::string& value) {
    if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
    if (value == "false" || value == "0" || value == "no" || value == "off") return false;
    throw ConfigError(key + ": expected true or false, got '" + value + "'");
}

int parse_seconds(const std::string& key, const std::string& value) {
    auto d = parse_duration(value);
    if (!d || d->count() <= 0 || d->count() > 3600)
        throw ConfigError(key + ": expected a duration like 30s or 2m (at most 1h), got '" + value + "'");
    return int(d->count());
}

int parse_count(const std::string& key, const std::string& value, int max) {
    int n = 0;
    for (char c : value) {
        if (c < '0' || c > '9' || n > max) throw ConfigError(key + ": expected a number from 1 to " + std::to_string(max));
        n = n * 10 + (c - '0');
    }
    if (n < 1 || n > max) throw ConfigError(key + ": expected a number from 1 to " + std::to_string(max));
    return n;
}

// A lifetime between `min` and `max` seconds, like 3d or 90m.
int64_t parse_ttl(const std::string& key, const std::string& value, int64_t min, int64_t max, const char* range) {
    auto d = parse_duration(value);
    if (!d || d->count() < min || d->count() > max)
        throw ConfigError(key + ": expected a duration from " + range + ", got '" + value + "'");
    return d->count();
}

int64_t parse_window(const std::string& key, const std::string& value) {
    auto d = parse_duration(value);
    if (!d || d->count() < 86400 || d->count() > 5 * 366 * 86400)
        throw ConfigError(key + ": expected a duration from 1d to 5 years, like 30d, got '" + value + "'");
    return d->count();
}

std::string url_part(CURLU* u, CURLUPart part) {
    char* out = nullptr;
    if (curl_url_get(u, part, &out, 0) != CURLUE_OK || !out) return {};
    std::string s(out);
    curl_free(out);
    return s;
}

// Only real loopback addresses: a name like "127.0.0.1.example.com" is not one.
bool is_loopback_host(const std::string& host) {
    if (host == "localhost" || host == "[::1]" || host == "::1") return true;
    in_addr addr{};
    return inet_pton(AF_INET, host.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

ConfigKey google_key(std::string key, std::string help, std::string GoogleConfig::*field) {
    return {key, std::move(help), false, false, [field](Config& c, const std::string& v) { c.google.*field = v; }};
}

ConfigKey ms_key(std::string key, std::string help, std::string MicrosoftConfig::*field) {
    return {key, std::move(help), false, false, [field](Config& c, const std::string& v) { c.microsoft.*field = v; }};
}

std::vector<ConfigKey> make_keys() {
    std::vector<ConfigKey> k;
    k.push_back({"db", "SQLite state database (default /var/lib/calsync/calsync.db, or $STATE_DIRECTORY/calsync.db)",
                 false, false, [](Config& c, const std::string& v) { c.db = v; }});
    k.push_back({"key-file", "file with the 32-byte token encryption key (default /etc/calsync/calsync.key, or "
                             "$CREDENTIALS_DIRECTORY/calsync.key)",
                 false, false, [](Config& c, const std::string& v) { c.key_file = v; }});
    k.push_back({"public-url", "public base URL where calsync-webhook is reachable", false, false,
                 [](Config& c, const std::string& v) { c.public_url = v; }});
    k.push_back({"queue-trigger",
                 "file calsync-webhook touches after queueing a notification, for a systemd path unit (default "
                 "queue.trigger next to the database)",
                 false, false, [](Config& c, const std::string& v) { c.queue_trigger = v; }});
    k.push_back({"allow-insecure-http", "allow plain http:// endpoints on hosts other than loopback", false, true,
                 [](Config& c, const std::string& v) { c.allow_insecure_http = parse_bool("allow-insecure-http", v); }});
    k.push_back({"http-timeout", "total time allowed for one HTTP request (default 60s)", false, false,
                 [](Config& c, const std::string& v) { c.http_timeout_seconds = parse_seconds("http-timeout", v); }});
    k.push_back({"connect-timeout", "time allowed to connect to a provider (default 10s)", false, false,
                 [](Config& c, const std::string& v) { c.connect_timeout_seconds = parse_seconds("connect-timeout", v); }});
    k.push_back(google_key("google.client-id", "Google OAuth client id", &GoogleConfig::client_id));
    k.push_back({"google.client-secret", "Google OAuth client secret (prefer google.client-secret-file)", true, false,
                 [](Config& c, const std::string& v) { c.google.client_secret = Secret(v); }});
    k.push_back({"google.client-secret-file", "file holding the Google OAuth client secret", false, false,
                 [](Config& c, const std::string& v) {
                     c.google.client_secret = Secret(read_secret_file("google.client-secret-file", v));
                 }});
    k.push_back(google_key("google.auth-url", "Google authorization endpoint", &GoogleConfig::auth_url));
    k.push_back(google_key("google.token-url", "Google token endpoint", &GoogleConfig::token_url));
    k.push_back(google_key("google.revoke-url", "Google token revocation endpoint", &GoogleConfig::revoke_url));
    k.push_back(google_key("google.userinfo-url", "Google OpenID Connect userinfo endpoint", &GoogleConfig::userinfo_url));
    k.push_back(google_key("google.api-url", "Google Calendar API base URL", &GoogleConfig::api_url));
    k.push_back({"google.page-size", "events per events.list page, 1-2500 (default 2500)", false, false,
                 [](Config& c, const std::string& v) { c.google.page_size = parse_count("google.page-size", v, 2500); }});
    k.push_back({"google.channel-ttl", "lifetime asked for push channels, 1h-30d (default 7d; Google may grant less)",
                 false, false, [](Config& c, const std::string& v) {
                     c.google.channel_ttl = parse_ttl("google.channel-ttl", v, 3600, 30 * 86400, "1h to 30d");
                 }});
    k.push_back(ms_key("microsoft.client-id", "Microsoft application (client) id", &MicrosoftConfig::client_id));
    k.push_back({"microsoft.client-secret", "Microsoft client secret (omit for a public client)", true, false,
                 [](Config& c, const std::string& v) { c.microsoft.client_secret = Secret(v); }});
    k.push_back({"microsoft.client-secret-file", "file holding the Microsoft client secret", false, false,
                 [](Config& c, const std::string& v) {
                     c.microsoft.client_secret = Secret(read_secret_file("microsoft.client-secret-file", v));
                 }});
    k.push_back(ms_key("microsoft.tenant", "Entra tenant: common, organizations, consumers or a tenant id",
                       &MicrosoftConfig::tenant));
    k.push_back(ms_key("microsoft.authority-url", "Microsoft identity platform host", &MicrosoftConfig::authority_url));
    k.push_back(ms_key("microsoft.graph-url", "Microsoft Graph base URL", &MicrosoftConfig::graph_url));
    k.push_back({"microsoft.page-size", "events per delta page, 1-1000 (default 500)", false, false,
                 [](Config& c, const std::string& v) { c.microsoft.page_size = parse_count("microsoft.page-size", v, 1000); }});
    k.push_back({"microsoft.window-past", "how far back the synced calendar view reaches (default 30d)", false, false,
                 [](Config& c, const std::string& v) { c.microsoft.window_past = parse_window("microsoft.window-past", v); }});
    k.push_back({"microsoft.window-future", "how far ahead the synced calendar view reaches (default 365d)", false, false,
                 [](Config& c, const std::string& v) { c.microsoft.window_future = parse_window("microsoft.window-future", v); }});
    k.push_back({"microsoft.subscription-ttl",
                 "lifetime asked for Graph subscriptions, 45m-10080m (default 3d; Graph's maximum for events is 10080m)",
                 false, false, [](Config& c, const std::string& v) {
                     c.microsoft.subscription_ttl =
                         parse_ttl("microsoft.subscription-ttl", v, 45 * 60, 10080 * 60, "45m to 10080m");
                 }});
    return k;
}

const ConfigKey* find_key(const std::string& key) {
    for (const auto& k : config_keys())
        if (k.key == key) return &k;
    return nullptr;
}

}  // namespace

std::string ConfigKey::option() const {
    std::string o = "--" + key;
    for (char& c : o)
        if (c == '.') c = '-';
    return o;
}

std::string ConfigKey::env() const {
    std::string e = "CALSYNC_";
    for (char c : key) e += (c == '.' || c == '-') ? '_' : char(std::toupper(static_cast<unsigned char>(c)));
    return e;
}

const std::vector<ConfigKey>& config_keys() {
    static const std::vector<ConfigKey> keys = make_keys();
    return keys;
}

RawSettings parse_config_text(const std::string& text, const std::string& origin) {
    RawSettings out = parse_toml_settings(text, origin);
    for (const auto& [key, value] : out)
        if (!find_key(key)) throw ConfigError(origin + ": unknown key '" + key + "'");
    return out;
}

void validate_url(const std::string& key, const std::string& url, bool allow_insecure_http) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
    if (url.find_first_of(" \t\r\n") != std::string::npos ||
        curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        throw ConfigError(key + ": '" + url + "' is not a valid URL");
    std::string scheme = url_part(u.get(), CURLUPART_SCHEME);
    std::string host = url_part(u.get(), CURLUPART_HOST);
    if (host.empty()) throw ConfigError(key + ": '" + url + "' has no host");
    if (scheme == "https") return;
    if (scheme != "http") throw ConfigError(key + ": '" + url + "' must be an https:// URL");
    if (!is_loopback_host(host) && !allow_insecure_http)
        throw ConfigError(key + ": plain http to " + host +
                          " is refused; use https, or set allow-insecure-http = true");
}

Config load_config(const ConfigSource& source, const std::map<std::string, std::string>& env) {
    std::string path = "/etc/calsync/calsync.conf";
    bool required = false;
    if (source.file) {
        path = source.file->string();
        required = true;
    }
    RawSettings merged;
    std::ifstream in(path);
    if (in) {
        std::stringstream ss;
        ss << in.rdbuf();
        merged = parse_config_text(ss.str(), path);
    } else if (required) {
        throw ConfigError("cannot read config file " + path);
    }
    for (const auto& [k, v] : source.settings) merged[k] = v;

    Config config;
    auto get_env = [&](const char* name) -> std::string {
        auto it = env.find(name);
        return it == env.end() ? std::string{} : it->second;
    };
    config.db = default_db_path(env);
    if (auto dir = get_env("CREDENTIALS_DIRECTORY"); !dir.empty())
        config.key_file = std::filesystem::path(dir) / "calsync.key";
    else
        config.key_file = "/etc/calsync/calsync.key";

    // Booleans first so URL checks see allow-insecure-http.
    for (const auto& key : config_keys()) {
        auto it = merged.find(key.key);
        if (it != merged.end() && key.is_flag) key.apply(config, it->second);
    }
    for (const auto& key : config_keys()) {
        auto it = merged.find(key.key);
        if (it != merged.end() && !key.is_flag) key.apply(config, it->second);
    }

    if (config.queue_trigger.empty()) config.queue_trigger = config.db.parent_path() / "queue.trigger";
    validate_url("google.auth-url", config.google.auth_url, config.allow_insecure_http);
    validate_url("google.token-url", config.google.token_url, config.allow_insecure_http);
    validate_url("google.revoke-url", config.google.revoke_url, config.allow_insecure_http);
    validate_url("google.userinfo-url", config.google.userinfo_url, config.allow_insecure_http);
    validate_url("google.api-url", config.google.api_url, config.allow_insecure_http);
    validate_url("microsoft.authority-url", config.microsoft.authority_url, config.allow_insecure_http);
    validate_url("microsoft.graph-url", config.microsoft.graph_url, config.allow_insecure_http);
    if (!config.public_url.empty()) validate_url("public-url", config.public_url, config.allow_insecure_http);
    if (!is_identifier(config.microsoft.tenant, 128, ".-"))
        throw ConfigError("microsoft.tenant: '" + config.microsoft.tenant + "' is not a tenant name or id");
    return config;
}

}  // namespace calsync
