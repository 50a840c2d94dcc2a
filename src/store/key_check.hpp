// Binds a database to its key: the first command that loads a key stores a
// sealed check value; later commands verify it before touching any token, so
// a wrong key file fails with a clear message and overwrites nothing.
#pragma once

#include <optional>
#include <string>

#include "crypto/crypto.hpp"
#include "db/database.hpp"

namespace calsync {

// Throws ConfigError when `key` is not the key this database was set up with.
void verify_key(Database& db, const Key& key, const std::string& key_path);

}  // namespace calsync
