// crypto/crypto.hpp: AES-GCM sealing, digests, UUIDs and the key file.
#include <catch2/catch.hpp>

#include <set>

#include "crypto/crypto.hpp"
#include "errors.hpp"
#include "support.hpp"
#include "util/encoding.hpp"

using namespace calsync;
using calsync::test::TempDir;
using calsync::test::kLowerHex;
using calsync::test::only;
using calsync::test::file_mode;
using calsync::test::read_file;
using calsync::test::write_file;

namespace {

const std::string kRawA(32, 'a');
const std::string kRawB(32, 'b');

// Two Keys are the same key when one opens what the other sealed.
bool same_key(const Key& x, const Key& y) {
    try {
        return y.open(x.seal("probe", "aad"), "aad") == "probe";
    } catch (const CryptoError&) {
        return false;
    }
}

}  // namespace

TEST_CASE("Key seal/open round-trips, including empty and binary plaintext", "[crypto]") {
    Key key(kRawA);
    for (const std::string& plain : {std::string(), std::string("ya29.access-token"), std::string("\0\xff\x01", 3),
                                     std::string(10000, 'x')}) {
        std::string sealed = key.seal(plain, "row 1");
        CHECK(sealed.size() == 1 + 12 + plain.size() + 16);
        CHECK(sealed[0] == '\x01');
        CHECK(key.open(sealed, "row 1") == plain);
    }
}

TEST_CASE("Key::open refuses a wrong aad, a wrong key and tampering", "[crypto]") {
    Key key(kRawA);
    std::string sealed = key.seal("refresh-token-value", "calsync/v1 integrations.refresh_token id=1");

    CHECK_THROWS_AS(key.open(sealed, "calsync/v1 integrations.refresh_token id=2"), CryptoError);
    CHECK_THROWS_AS(key.open(sealed, ""), CryptoError);
    CHECK_THROWS_AS(Key(kRawB).open(sealed, "calsync/v1 integrations.refresh_token id=1"), CryptoError);

    for (size_t i = 0; i < sealed.size(); ++i) {
        std::string tampered = sealed;
        tampered[i] = char(tampered[i] ^ 0x01);
        INFO("flipped byte " << i);
        CHECK_THROWS_AS(key.open(tampered, "calsync/v1 integrations.refresh_token id=1"), CryptoError);
    }
    CHECK_THROWS_AS(key.open(sealed.substr(0, sealed.size() - 1), "calsync/v1 integrations.refresh_token id=1"),
                    CryptoError);
    CHECK_THROWS_AS(key.open(sealed + "x", "calsync/v1 integrations.refresh_token id=1"), CryptoError);
    CHECK_THROWS_AS(key.open("", ""), CryptoError);
    CHECK_THROWS_AS(key.open(std::string(28, '\x01'), ""), CryptoError);
}

TEST_CASE("two seals of the same plaintext differ", "[crypto]") {
    Key key(kRawA);
    std::string a = key.seal("same", "aad");
    std::string b = key.seal("same", "aad");
    CHECK(a != b);
    CHECK(a.substr(1, 12) != b.substr(1, 12));  // fresh nonce each time
    CHECK(key.open(a, "aad") == key.open(b, "aad"));
}

TEST_CASE("Key refuses a raw key of the wrong size", "[crypto]") {
    CHECK_THROWS_AS(Key(std::string(31, 'a')), ConfigError);
    CHECK_THROWS_AS(Key(std::string(33, 'a')), ConfigError);
    CHECK_THROWS_AS(Key(""), ConfigError);
}

TEST_CASE("Key::fingerprint is stable, short and tells keys apart", "[crypto]") {
    Key a(kRawA);
    CHECK(a.fingerprint() == Key(kRawA).fingerprint());
    CHECK(a.fingerprint() != Key(kRawB).fingerprint());
    CHECK(only(a.fingerprint(), kLowerHex, 16));
    CHECK(a.fingerprint() != hex_encode(kRawA).substr(0, 16));
}

TEST_CASE("sha256 and hmac_sha256 match published vectors", "[crypto]") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256("abc").size() == 32);
    // RFC 4231 test case 2.
    CHECK(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("constant_time_equal compares content and length", "[crypto]") {
    CHECK(constant_time_equal("", ""));
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
    CHECK_FALSE(constant_time_equal("abc", ""));
    CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("random_uuid is a version-4, variant-1 UUID and unique", "[crypto]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string u = random_uuid();
        INFO(u);
        REQUIRE(u.size() == 36);
        CHECK(only(u.substr(0, 8) + u.substr(9, 4) + u.substr(14, 4) + u.substr(19, 4) + u.substr(24), kLowerHex, 32));
        CHECK((u[8] == '-' && u[13] == '-' && u[18] == '-' && u[23] == '-'));
        CHECK(u[14] == '4');  // version 4
        CHECK(std::string_view("89ab").find(u[19]) != std::string_view::npos);  // RFC 4122 variant
        seen.insert(u);
    }
    CHECK(seen.size() == 200);
}

TEST_CASE("random_bytes and random_hex have the requested size", "[crypto]") {
    CHECK(random_bytes(0).empty());
    CHECK(random_bytes(17).size() == 17);
    CHECK(only(random_hex(16), kLowerHex, 32));
    CHECK(random_hex(16) != random_hex(16));
}

TEST_CASE("load_key_file reads 32 raw bytes", "[crypto][keyfile]") {
    TempDir dir;
    std::string raw = random_bytes(32);
    write_file(dir / "k", raw, 0600);
    CHECK(same_key(load_key_file(dir / "k"), Key(raw)));
}

TEST_CASE("load_key_file reads base64 with or without a trailing newline", "[crypto][keyfile]") {
    TempDir dir;
    std::string raw = random_bytes(32);
    write_file(dir / "k1", base64_encode(raw) + "\n", 0600);
    write_file(dir / "k2", base64_encode(raw), 0400);
    write_file(dir / "k3", base64url_encode(raw) + "\r\n", 0600);
    CHECK(same_key(load_key_file(dir / "k1"), Key(raw)));
    CHECK(same_key(load_key_file(dir / "k2"), Key(raw)));
    CHECK(same_key(load_key_file(dir / "k3"), Key(raw)));
}

TEST_CASE("load_key_file refuses a key file open to group or others", "[crypto][keyfile]") {
    TempDir dir;
    for (unsigned mode : {0644u, 0640u, 0604u, 0660u, 0601u}) {
        write_file(dir / "k", std::string(32, 'k'), mode);
        char expected[8];
        std::snprintf(expected, sizeof expected, "%04o", mode);
        INFO("mode " << expected);
        CHECK_THROWS_AS(load_key_file(dir / "k"), ConfigError);
        CHECK_THROWS_WITH(load_key_file(dir / "k"), Catch::Contains(std::string("mode ") + expected));
    }
}

TEST_CASE("a systemd credential may carry group read bits, nothing more", "[crypto][keyfile]") {
    TempDir dir;
    write_file(dir / "k440", std::string(32, 'k'), 0440);
    write_file(dir / "k444", std::string(32, 'k'), 0444);
    write_file(dir / "k460", std::string(32, 'k'), 0460);
    CHECK_THROWS_AS(load_key_file(dir / "k440"), ConfigError);  // not a credentials directory
    ::setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
    CHECK_NOTHROW(load_key_file(dir / "k440"));
    CHECK_THROWS_AS(load_key_file(dir / "k444"), ConfigError);  // others: never
    CHECK_THROWS_AS(load_key_file(dir / "k460"), ConfigError);  // group write: never
    ::unsetenv("CREDENTIALS_DIRECTORY");
}

TEST_CASE("load_key_file refuses a wrong size", "[crypto][keyfile]") {
    TempDir dir;
    write_file(dir / "short", std::string(31, 'k'));
    write_file(dir / "long", std::string(33, 'k'));
    write_file(dir / "b64short", base64_encode(std::string(16, 'k')) + "\n");
    write_file(dir / "empty", "");
    write_file(dir / "garbage", "this is not a key at all!\n");
    for (const char* name : {"short", "long", "b64short", "empty", "garbage"}) {
        INFO(name);
        CHECK_THROWS_AS(load_key_file(dir / name), ConfigError);
    }
}

TEST_CASE("load_key_file refuses a missing file, a directory and a symlink", "[crypto][keyfile]") {
    TempDir dir;
    CHECK_THROWS_WITH(load_key_file(dir / "missing"), Catch::Contains("does not exist"));
    std::filesystem::create_directory(dir / "d");
    ::chmod((dir / "d").c_str(), 0700);
    CHECK_THROWS_AS(load_key_file(dir / "d"), ConfigError);
    write_file(dir / "real", std::string(32, 'k'), 0600);
    std::filesystem::create_symlink(dir / "real", dir / "link");
    CHECK_THROWS_AS(load_key_file(dir / "link"), ConfigError);
}

TEST_CASE("create_key_file creates a 0600 key once and never overwrites", "[crypto][keyfile]") {
    TempDir dir;
    auto path = dir / "calsync.key";
    REQUIRE(create_key_file(path));
    CHECK(file_mode(path) == 0600);
    std::string first = read_file(path);
    Key key = load_key_file(path);

    CHECK_FALSE(create_key_file(path));
    CHECK(read_file(path) == first);
    CHECK(same_key(load_key_file(path), key));

    auto other = dir / "other.key";
    REQUIRE(create_key_file(other));
    CHECK_FALSE(same_key(load_key_file(other), key));
}

TEST_CASE("create_key_file does not overwrite an existing foreign file", "[crypto][keyfile]") {
    TempDir dir;
    write_file(dir / "k", "precious", 0644);
    CHECK_FALSE(create_key_file(dir / "k"));
    CHECK(read_file(dir / "k") == "precious");
}

TEST_CASE("create_key_file fails with ConfigError when the directory is missing", "[crypto][keyfile]") {
    TempDir dir;
    CHECK_THROWS_AS(create_key_file(dir / "no" / "such" / "k"), ConfigError);
}
