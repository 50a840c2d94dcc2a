// calsync's configuration (SPEC §3): a TOML file, environment variables and
// command-line options, in rising precedence. Every key is listed once in
// `config_keys()`; the CLI, the environment names, the file reader, the man
// page test and the completions all derive from that table.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "secret.hpp"

namespace calsync {

struct GoogleConfig {
    std::string client_id;
    Secret client_secret;
    std::string auth_url = "https://accounts.google.com/o/oauth2/v2/auth";
    std::string token_url = "https://oauth2.googleapis.com/token";
    std::string revoke_url = "https://oauth2.googleapis.com/revoke";
    std::string userinfo_url = "https://openidconnect.googleapis.com/v1/userinfo";
    std::string api_url = "https://www.googleapis.com/calendar/v3";
    int page_size = 2500;  // events.list maxResults (Google's maximum)
    int64_t channel_ttl = 7 * 86400;  // events.watch params.ttl; Google may grant less
};

struct MicrosoftConfig {
    std::string client_id;
    Secret client_secret;  // empty: a public client
    std::string tenant = "common";
    std::string authority_url = "https://login.microsoftonline.com";
    std::string graph_url = "https://graph.microsoft.com/v1.0";
    int page_size = 500;                 // Prefer: odata.maxpagesize
    int64_t window_past = 30 * 86400;    // calendarView delta window
    int64_t window_future = 365 * 86400;
    int64_t subscription_ttl = 3 * 86400;  // Graph subscription lifetime, at most 10,080 minutes
};

struct Config {
    std::filesystem::path db;
    std::filesystem::path key_file;
    std::string public_url;
    std::filesystem::path queue_trigger;  // touched by calsync-webhook after an enqueue; default next to db
    bool allow_insecure_http = false;
    int http_timeout_seconds = 60;
    int connect_timeout_seconds = 10;
    GoogleConfig google;
    MicrosoftConfig microsoft;
};

// One configuration key: "google.client-id" ↔ --google-client-id ↔ CALSYNC_GOOGLE_CLIENT_ID.
struct ConfigKey {
    std::string key;
    std::string help;
    bool secret = false;
    bool is_flag = false;  // boolean: given without a value on the command line
    std::function<void(Config&, const std::string&)> apply;

    std::string option() const;  // "--google-client-id"
    std::string env() const;     // "CALSYNC_GOOGLE_CLIENT_ID"
};

const std::vector<ConfigKey>& config_keys();

// Values collected from the command line and environment (CLI11 fills these).
using RawSettings = std::map<std::string, std::string>;

// Where the config file is: --config, else CALSYNC_CONFIG, else /etc/calsync/calsync.conf.
struct ConfigSource {
    std::optional<std::filesystem::path> file;  // explicitly given: must exist
    RawSettings settings;                       // from flags and environment
};

// Reads the file (if any), merges, validates. Throws ConfigError with a clear
// message: unknown key, bad URL, plain http to a non-loopback host, unreadable file.
Config load_config(const ConfigSource& source, const std::map<std::string, std::string>& env);

// Parses the TOML text of a config file into key → value (unknown keys rejected).
RawSettings parse_config_text(const std::string& text, const std::string& origin);

// Checks one endpoint URL; throws ConfigError naming `key`.
void validate_url(const std::string& key, const std::string& url, bool allow_insecure_http);

}  // namespace calsync
