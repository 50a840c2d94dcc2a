// What a subcommand runs against: configuration, the state store, the key,
// HTTP, the clock and the output stream. Each is opened on first use, so a
// command that never needs the key never reads it.
#pragma once

#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "config/config.hpp"
#include "crypto/crypto.hpp"
#include "db/database.hpp"
#include "http/http.hpp"
#include "util/time.hpp"

namespace calsync {

struct GlobalOptions {
    ConfigSource source;
    int verbosity = 0;
    bool quiet = false;
    bool json = false;
};

class Context {
public:
    Context(GlobalOptions options, std::map<std::string, std::string> env, std::ostream& out = std::cout);
    ~Context();

    const GlobalOptions& options() const { return options_; }
    bool json() const { return options_.json; }
    const std::map<std::string, std::string>& env() const { return env_; }
    std::ostream& out() { return out_; }

    const Config& config();
    Database& db();
    const Key& key();
    HttpClient& http();
    const Clock& clock() const { return *clock_; }

private:
    GlobalOptions options_;
    std::map<std::string, std::string> env_;
    std::ostream& out_;
    std::optional<Config> config_;
    std::unique_ptr<Database> db_;
    std::optional<Key> key_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<Clock> clock_;
};

}  // namespace calsync
