// The little configuration calsync-webhook needs (SPEC §5): where the
// database and the queue trigger are. It is read through the same TOML parser
// as calsync's full configuration, but without its key table, URL checks or
// secret files: the web server's user may not be allowed to read those, and
// the CGI must start fast. Everything but `db` and `queue-trigger` is ignored
// unread; `calsync` itself reports mistakes in the rest of the file.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace calsync {

using Environment = std::map<std::string, std::string>;

struct ReceiverConfig {
    std::filesystem::path db;
    std::filesystem::path queue_trigger;  // default queue.trigger next to db
};

// The file is $CALSYNC_CONFIG (which must then exist), else
// /etc/calsync/calsync.conf (which may be missing); CALSYNC_DB and
// CALSYNC_QUEUE_TRIGGER beat the file. Throws ConfigError.
ReceiverConfig load_receiver_config(const Environment& env);

// TOML text → "section.key" → value, every key as written (no key table).
// Throws ConfigError naming `origin` on a syntax error or a list value.
std::map<std::string, std::string> parse_toml_settings(const std::string& text, const std::string& origin);

// $STATE_DIRECTORY/calsync.db under systemd, else /var/lib/calsync/calsync.db.
std::filesystem::path default_db_path(const Environment& env);

}  // namespace calsync
