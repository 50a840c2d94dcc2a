#include "crypto/crypto.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "errors.hpp"
#include "util/encoding.hpp"

namespace calsync {
namespace {

constexpr unsigned char kSealVersion = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

struct CipherCtxDeleter {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

CipherCtx new_ctx() {
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw CryptoError("openssl: cannot allocate cipher context");
    return ctx;
}

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), int(n)) != 1)
        throw CryptoError("openssl: random number generator failed");
    return out;
}

std::string random_hex(size_t n) { return hex_encode(random_bytes(n)); }

std::string random_uuid() {
    std::string b = random_bytes(16);
    b[6] = char((b[6] & 0x0f) | 0x40);
    b[8] = char((b[8] & 0x3f) | 0x80);
    std::string h = hex_encode(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
           h.substr(20);
}

std::string sha256(std::string_view data) {
    std::string out(32, '\0');
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(),
                   nullptr) != 1)
        throw CryptoError("openssl: sha256 failed");
    return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::string out(32, '\0');
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), int(key.size()), u8(data), data.size(),
              reinterpret_cast<unsigned char*>(out.data()), &len))
        throw CryptoError("openssl: hmac failed");
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Key::Key(std::string_view raw) {
    if (raw.size() != kSize) throw ConfigError("encryption key must be 32 bytes");
    std::memcpy(bytes_.data(), raw.data(), kSize);
}

Key::~Key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string Key::seal(std::string_view plaintext, std::string_view aad) const {
    std::string nonce = random_bytes(kNonceSize);
    auto ctx = new_ctx();
    std::string out;
    out.resize(1 + kNonceSize + plaintext.size() + kTagSize);
    out[0] = char(kSealVersion);
    std::memcpy(out.data() + 1, nonce.data(), kNonceSize);
    auto* cipher = reinterpret_cast<unsigned char*>(out.data() + 1 + kNonceSize);
    int len = 0;
    bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_.data(), u8(nonce)) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), int(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), cipher, &len, u8(plaintext), int(plaintext.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(kTagSize),
                                  cipher + plaintext.size()) == 1;
    if (!ok) throw CryptoError("openssl: encryption failed");
    return out;
}

std::string Key::open(std::string_view sealed, std::string_view aad) const {
    if (sealed.size() < 1 + kNonceSize + kTagSize || uint8_t(sealed[0]) != kSealVersion)
        throw CryptoError("sealed value is malformed");
    std::string_view nonce = sealed.substr(1, kNonceSize);
    std::string_view cipher = sealed.substr(1 + kNonceSize, sealed.size() - 1 - kNonceSize - kTagSize);
    std::string tag(sealed.substr(sealed.size() - kTagSize));
    auto ctx = new_ctx();
    std::string out(cipher.size(), '\0');
    auto* plain = reinterpret_cast<unsigned char*>(out.data());
    int len = 0;
    bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_.data(), u8(nonce)) == 1 &&
              EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), int(aad.size())) == 1 &&
              EVP_DecryptUpdate(ctx.get(), plain, &len, u8(cipher), int(cipher.size())) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(kTagSize), tag.data()) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), plain + len, &len) == 1;
    if (!ok) {
        OPENSSL_cleanse(out.data(), out.size());
        throw CryptoError("stored token does not decrypt with this key file (wrong key, or the row was altered)");
    }
    return out;
}

std::string Key::fingerprint() const {
    std::string_view raw(reinterpret_cast<const char*>(bytes_.data()), bytes_.size());
    return sha256_hex(std::string("calsync key fingerprint\n").append(raw)).substr(0, 16);
}

Key load_key_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            throw ConfigError("key file " + path.string() + " does not exist (create it with `calsync init`)");
        throw ConfigError("cannot open key file " + path.string() + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw ConfigError("key file " + path.string() + " is not a regular file");
    }
    // systemd's LoadCredential= may grant the service user read access through
    // an ACL, which shows as group bits; the credentials directory itself is
    // private to the service, so group bits there are not a leak.
    const char* credentials = std::getenv("CREDENTIALS_DIRECTORY");
    bool systemd_credential = credentials && *credentials && path.parent_path() == std::filesystem::path(credentials);
    mode_t forbidden = systemd_credential ? mode_t(S_IWGRP | S_IXGRP | S_IRWXO) : mode_t(S_IRWXG | S_IRWXO);
    if (st.st_mode & forbidden) {
        ::close(fd);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
        throw ConfigError("key file " + path.string() + " has mode " + mode +
                          "; it must not be accessible by group or others (chmod 600)");
    }
    std::string data;
    char buf[256];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && data.size() < 4096) data.append(buf, size_t(n));
    ::close(fd);
    if (data.size() == Key::kSize) {
        Key key(data);
        OPENSSL_cleanse(data.data(), data.size());
        return key;
    }
    while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' ')) data.pop_back();
    auto decoded = base64_decode(data);
    OPENSSL_cleanse(data.data(), data.size());
    if (!decoded || decoded->size() != Key::kSize)
        throw ConfigError("key file " + path.string() + " must hold 32 random bytes (raw or base64)");
    Key key(*decoded);
    OPENSSL_cleanse(decoded->data(), decoded->size());
    return key;
}

bool create_key_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        throw ConfigError("cannot create key file " + path.string() + ": " + std::strerror(errno));
    }
    std::string raw = random_bytes(Key::kSize);
    std::string text = base64_encode(raw) + "\n";
    OPENSSL_cleanse(raw.data(), raw.size());
    bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size()) &&
              ::fsync(fd) == 0;
    OPENSSL_cleanse(text.data(), text.size());
    ::close(fd);
    if (!ok) {
        std::filesystem::remove(path);
        throw ConfigError("cannot write key file " + path.string());
    }
    return true;
}

}  // namespace calsync
