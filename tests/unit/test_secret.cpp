// secret.hpp: a Secret prints as *** through fmt and iostreams.
#include <catch2/catch.hpp>

#include <sstream>

#include "secret.hpp"

using namespace calsync;

TEST_CASE("Secret formats as *** with fmt", "[secret]") {
    Secret s("ya29.very-secret");
    CHECK(fmt::format("{}", s) == "***");
    CHECK(fmt::format("token={} end", s) == "token=*** end");
    CHECK(fmt::format("{}", Secret()) == "***");
}

TEST_CASE("Secret prints as *** with operator<<", "[secret]") {
    std::ostringstream os;
    os << Secret("x") << "|" << Secret("1//refresh");
    CHECK(os.str() == "***|***");
}

TEST_CASE("Secret reveals its value only on request", "[secret]") {
    Secret s("value");
    CHECK(s.reveal() == "value");
    CHECK_FALSE(s.empty());
    CHECK(Secret().empty());
    CHECK(s == Secret("value"));
    CHECK_FALSE(s == Secret("other"));
    Secret moved(std::move(s));
    CHECK(moved.reveal() == "value");
}
