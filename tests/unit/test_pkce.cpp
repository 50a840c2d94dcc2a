// oauth/pkce.hpp: verifier shape, S256 challenge (RFC 7636 appendix B), state.
#include <catch2/catch.hpp>

#include <set>

#include "oauth/pkce.hpp"
#include "support.hpp"

using namespace calsync;
using calsync::test::kUrlSafe;
using calsync::test::only;

TEST_CASE("pkce_challenge matches RFC 7636 appendix B", "[pkce]") {
    CHECK(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("make_pkce yields an RFC 7636 verifier and its challenge", "[pkce]") {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        Pkce p = make_pkce();
        const std::string& v = p.verifier.reveal();
        INFO(v);
        CHECK(v.size() >= 43);
        CHECK(v.size() <= 128);
        // RFC 7636 allows [A-Za-z0-9-._~]; base64url output is a subset of it.
        CHECK(only(v, kUrlSafe, v.size()));
        CHECK(only(p.challenge, kUrlSafe, 43));
        CHECK(p.challenge == pkce_challenge(v));
        seen.insert(v);
    }
    CHECK(seen.size() == 50);
}

TEST_CASE("make_state is URL-safe, 256 bits and unique", "[pkce]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        Secret s = make_state();
        INFO(s.reveal());
        CHECK(only(s.reveal(), kUrlSafe, 43));
        seen.insert(s.reveal());
    }
    CHECK(seen.size() == 200);
}
