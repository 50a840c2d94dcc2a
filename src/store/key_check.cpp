#include "store/key_check.hpp"

#include "errors.hpp"

namespace calsync {
namespace {

constexpr const char* kPlain = "calsync key check v1";
constexpr const char* kAad = "calsync/v1 meta.key_check";

std::optional<std::string> stored_check(Database& db) {
    SQLite::Statement q(db.sql(), "SELECT value FROM meta WHERE name = 'key_check'");
    if (!q.executeStep()) return std::nullopt;
    const auto& c = q.getColumn(0);
    return std::string(static_cast<const char*>(c.getBlob()), size_t(c.getBytes()));
}

bool opens(const Key& key, const std::string& sealed) {
    try {
        return key.open(sealed, kAad) == kPlain;
    } catch (const CryptoError&) {
        return false;
    }
}

}  // namespace

void verify_key(Database& db, const Key& key, const std::string& key_path) {
    auto check = stored_check(db);
    if (!check) {
        auto tx = db.write_transaction();
        std::string sealed = key.seal(kPlain, kAad);
        SQLite::Statement ins(db.sql(), "INSERT INTO meta (name, value) VALUES ('key_check', ?) ON CONFLICT DO NOTHING");
        ins.bind(1, sealed.data(), int(sealed.size()));
        ins.exec();
        tx.commit();
        check = stored_check(db);  // another process may have won the insert with another key
    }
    if (check && opens(key, *check)) return;
    throw ConfigError("key file " + key_path + " is not the key database " + db.path().string() +
                      " was set up with (this key's fingerprint is " + key.fingerprint() +
                      "); refusing to read or write tokens with it");
}

}  // namespace calsync
