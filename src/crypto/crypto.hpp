// Cryptographic primitives over OpenSSL's EVP API: randomness, SHA-256,
// constant-time comparison and AES-256-GCM sealing of stored tokens.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace calsync {

// Cryptographically secure random bytes; throws on RNG failure.
std::string random_bytes(size_t n);
// Lower-case hex of `n` random bytes (channel tokens, ids).
std::string random_hex(size_t n);
// RFC 4122 version-4 UUID string.
std::string random_uuid();

// Raw 32-byte digest.
std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares in time independent of where the inputs differ (lengths may leak).
bool constant_time_equal(std::string_view a, std::string_view b);

// The 32-byte master key that seals tokens at rest.
class Key {
public:
    static constexpr size_t kSize = 32;
    explicit Key(std::string_view raw);
    ~Key();
    Key(const Key&) = default;
    Key& operator=(const Key&) = default;

    // AES-256-GCM. Output: version byte | 12-byte nonce | ciphertext | 16-byte tag.
    // `aad` binds the ciphertext to its row, so a value copied to another row fails to open.
    std::string seal(std::string_view plaintext, std::string_view aad) const;
    // Throws CryptoError when the key, the aad or the data do not match.
    std::string open(std::string_view sealed, std::string_view aad) const;

    // A non-secret fingerprint, to tell keys apart in messages.
    std::string fingerprint() const;

private:
    std::array<unsigned char, kSize> bytes_{};
};

// Reads the key file (32 raw bytes, or their base64). Refuses a file readable
// by group or others, a missing file and a wrong size, with ConfigError.
Key load_key_file(const std::filesystem::path& path);
// Creates the key file with mode 0600 unless it exists. Returns true if created.
bool create_key_file(const std::filesystem::path& path);

}  // namespace calsync
