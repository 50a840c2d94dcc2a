// Byte/text encodings used across calsync: base64, hex, URL and form encoding.
// Pure functions; no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calsync {

std::string base64_encode(std::string_view bytes);
// Accepts standard and URL-safe alphabets, with or without padding.
// Returns nullopt on any character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);
// RFC 4648 §5 without padding (PKCE, JWT segments).
std::string base64url_encode(std::string_view bytes);

std::string hex_encode(std::string_view bytes);

// Percent-encoding per RFC 3986: everything but unreserved characters is escaped.
std::string url_encode(std::string_view text);
// Decodes %XX and, when `plus_is_space`, '+' (form encoding). Malformed
// escapes are kept literally rather than rejected.
std::string url_decode(std::string_view text, bool plus_is_space = true);

using Params = std::vector<std::pair<std::string, std::string>>;

// application/x-www-form-urlencoded body or query string, in the given order.
std::string form_encode(const Params& params);
// Parses "a=1&b=2" (a leading '?' is skipped). Keys without '=' get "".
Params parse_query(std::string_view query);
// True when `text` has between 1 and `max_len` characters, each a letter, a
// digit or one of `extra` (identifiers such as org ids and tenant names).
bool is_identifier(std::string_view text, size_t max_len, std::string_view extra);

// First value for `key`, if present.
std::optional<std::string> find_param(const Params& params, std::string_view key);

}  // namespace calsync
