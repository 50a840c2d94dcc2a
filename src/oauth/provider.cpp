#include "oauth/provider.hpp"

namespace calsync {

std::string_view to_string(Provider p) { return p == Provider::google ? "google" : "microsoft"; }

std::optional<Provider> parse_provider(std::string_view name) {
    if (name == "google") return Provider::google;
    if (name == "microsoft") return Provider::microsoft;
    return std::nullopt;
}

}  // namespace calsync
