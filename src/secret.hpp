// A value that must never reach a log line or an output stream: tokens,
// client secrets, codes, PKCE verifiers, channel tokens, clientState.
// Formatting it (spdlog/fmt or iostream) prints "***"; the value is only
// reachable through the explicit `reveal()`.
#pragma once

#include <fmt/format.h>

#include <ostream>
#include <string>
#include <utility>

namespace calsync {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret&) = default;
    Secret(Secret&&) noexcept = default;
    Secret& operator=(const Secret&) = default;
    Secret& operator=(Secret&&) noexcept = default;
    ~Secret() { wipe(); }

    const std::string& reveal() const { return value_; }
    bool empty() const { return value_.empty(); }
    bool operator==(const Secret& other) const = default;

private:
    void wipe() {
        volatile char* p = value_.data();
        for (size_t i = 0; i < value_.size(); ++i) p[i] = 0;
    }
    std::string value_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

}  // namespace calsync

template <>
struct fmt::formatter<calsync::Secret> : fmt::formatter<std::string_view> {
    template <typename Ctx>
    auto format(const calsync::Secret&, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format("***", ctx);
    }
};
