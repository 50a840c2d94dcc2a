#include "mint.hpp"

#include "crypto/crypto.hpp"
#include "util/encoding.hpp"

namespace emu::mint {
namespace {

std::string random_url_safe(size_t bytes) { return calsync::base64url_encode(calsync::random_bytes(bytes)); }

std::string random_from(std::string_view alphabet, size_t n) {
    std::string raw = calsync::random_bytes(n);
    std::string out;
    out.reserve(n);
    for (unsigned char c : raw) out += alphabet[c % alphabet.size()];
    return out;
}

}  // namespace

std::string google_access_token() { return "ya29.a0" + random_url_safe(120); }
std::string google_refresh_token() { return "1//0" + random_url_safe(75); }
std::string google_auth_code() { return "4/0A" + random_url_safe(54); }

std::string google_sub() {
    std::string digits = random_from("0123456789", 20);
    return "1" + digits;
}

std::string microsoft_refresh_token() { return "1.A" + random_url_safe(540); }
std::string microsoft_auth_code() { return "0.A" + random_url_safe(300); }
std::string device_code() { return "DAQABIQEAAA" + random_url_safe(150); }
std::string user_code() { return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8); }

std::string jwt_like(const nlohmann::ordered_json& payload) {
    nlohmann::ordered_json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"kid", "emulator"}};
    return calsync::base64url_encode(header.dump()) + "." + calsync::base64url_encode(payload.dump()) + "." +
           random_url_safe(256);
}

}  // namespace emu::mint
