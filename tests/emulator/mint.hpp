// Generators for the opaque strings the providers hand out. Each mimics the
// real shape (prefix, alphabet, rough length) so a client that mangles '/',
// truncates long values or assumes a format shows up in tests. Nothing here
// is signed: the emulator never needs to verify its own tokens cryptographically.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace emu::mint {

std::string google_access_token();   // "ya29.a0…"
std::string google_refresh_token();  // "1//0…"
std::string google_auth_code();      // "4/0A…" (needs URL-encoding in a redirect)
std::string google_sub();            // 21 decimal digits

std::string microsoft_refresh_token();  // long "1.A…" blob
std::string microsoft_auth_code();      // "0.A…"
std::string device_code();
std::string user_code();  // 8 characters A-Z0-9

// A JWT-shaped string header.payload.signature (base64url, no padding) with
// `payload` as claims and a random, meaningless signature.
std::string jwt_like(const nlohmann::ordered_json& payload);

}  // namespace emu::mint
