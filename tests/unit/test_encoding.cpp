// util/encoding.hpp: base64 (both alphabets), hex, percent- and form-encoding.
#include <catch2/catch.hpp>

#include "util/encoding.hpp"

using namespace calsync;

TEST_CASE("base64_encode matches the RFC 4648 test vectors", "[encoding]") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url_encode uses - and _ and never pads", "[encoding]") {
    std::string bytes("\xfb\xff\xbf", 3);
    CHECK(base64_encode(bytes) == "+/+/");
    CHECK(base64url_encode(bytes) == "-_-_");
    CHECK(base64url_encode("f") == "Zg");
    CHECK(base64url_encode("fo") == "Zm8");
    CHECK(base64url_encode("\xfb") == "-w");
}

TEST_CASE("base64_decode round-trips every byte value in both alphabets", "[encoding]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all += char(i);
    for (size_t len : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
        std::string bytes = all.substr(0, len);
        INFO("length " << len);
        CHECK(base64_decode(base64_encode(bytes)) == bytes);
        CHECK(base64_decode(base64url_encode(bytes)) == bytes);
    }
}

TEST_CASE("base64_decode accepts missing padding and mixed alphabets", "[encoding]") {
    CHECK(base64_decode("Zg") == std::string("f"));
    CHECK(base64_decode("Zg==") == std::string("f"));
    CHECK(base64_decode("Zm8") == std::string("fo"));
    CHECK(base64_decode("-_-_") == std::string("\xfb\xff\xbf", 3));
    CHECK(base64_decode("+/-_") == std::string("\xfb\xff\xbf", 3));
}

TEST_CASE("base64_decode rejects characters outside the alphabet", "[encoding]") {
    CHECK_FALSE(base64_decode("Zm9v!"));
    CHECK_FALSE(base64_decode("Zm 9v"));
    CHECK_FALSE(base64_decode("Zm9v\n"));
    CHECK_FALSE(base64_decode("Zg==Zg=="));  // padding only at the end
    CHECK_FALSE(base64_decode("Z"));         // one leftover sextet is not a byte
    CHECK_FALSE(base64_decode("Zm9vY"));
}

TEST_CASE("hex_encode is lower-case, two digits per byte", "[encoding]") {
    CHECK(hex_encode("") == "");
    CHECK(hex_encode(std::string("\x00\x0f\xf0\xff", 4)) == "000ff0ff");
    CHECK(hex_encode("abc") == "616263");
}

TEST_CASE("url_encode escapes everything but unreserved characters", "[encoding]") {
    CHECK(url_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(url_encode("a b") == "a%20b");
    CHECK(url_encode("a+b") == "a%2Bb");
    CHECK(url_encode(":/?#[]@!$&'()*,;=%") == "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D%25");
    CHECK(url_encode("\xc3\xa9") == "%C3%A9");
    CHECK(url_encode(std::string("\0", 1)) == "%00");
}

TEST_CASE("url_decode handles escapes, '+' and malformed escapes", "[encoding]") {
    CHECK(url_decode("a%20b") == "a b");
    CHECK(url_decode("%2f%2F") == "//");
    CHECK(url_decode("a+b") == "a b");
    CHECK(url_decode("a+b", false) == "a+b");
    CHECK(url_decode("%2B") == "+");
    CHECK(url_decode("%2B", false) == "+");
    // Malformed escapes are kept literally.
    CHECK(url_decode("100%") == "100%");
    CHECK(url_decode("%4") == "%4");
    CHECK(url_decode("%zz") == "%zz");
    CHECK(url_decode("%g1%41") == "%g1A");
    CHECK(url_decode("%41") == "A");
}

TEST_CASE("url_decode inverts url_encode", "[encoding]") {
    std::string text = "http://127.0.0.1:8080/cb?x=1&y=a b+c%d\xc3\xa9";
    CHECK(url_decode(url_encode(text)) == text);
    CHECK(url_decode(url_encode(text), false) == text);
}

TEST_CASE("parse_query splits pairs, decodes and skips a leading '?'", "[encoding]") {
    Params p = parse_query("?a=1&b=&c&&d=x%3Dy&e=a+b&f=1=2");
    Params expected = {{"a", "1"}, {"b", ""}, {"c", ""}, {"d", "x=y"}, {"e", "a b"}, {"f", "1=2"}};
    CHECK(p == expected);
    CHECK(parse_query("").empty());
    CHECK(parse_query("?").empty());
}

TEST_CASE("form_encode and parse_query round-trip in order", "[encoding]") {
    Params p = {{"redirect_uri", "http://127.0.0.1:8765/callback?x=1"},
                {"scope", "openid email"},
                {"k&=", "v+%"},
                {"empty", ""},
                {"dup", "1"},
                {"dup", "2"}};
    std::string encoded = form_encode(p);
    CHECK(encoded.find(' ') == std::string::npos);
    CHECK(encoded.find("scope=openid%20email") != std::string::npos);
    CHECK(parse_query(encoded) == p);
    CHECK(form_encode({}) == "");
}

TEST_CASE("find_param returns the first value for a key", "[encoding]") {
    Params p = {{"a", "1"}, {"b", ""}, {"a", "2"}};
    CHECK(find_param(p, "a") == std::string("1"));
    CHECK(find_param(p, "b") == std::string(""));
    CHECK_FALSE(find_param(p, "c"));
    CHECK_FALSE(find_param(p, "A"));
}
