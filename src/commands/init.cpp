// calsync init: create the key file (32 random bytes, mode 0600) if missing,
// and create or migrate the database. Never overwrites an existing key.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands/commands.hpp"

namespace calsync {
namespace {

int run_init(Context& ctx) {
    const Config& config = ctx.config();
    bool created_key = create_key_file(config.key_file);
    if (created_key) spdlog::info("created key file {} (mode 0600)", config.key_file.string());
    Database& db = ctx.db();
    ctx.key();  // checks mode and binds the database to this key
    if (ctx.json()) {
        nlohmann::json j = {{"database", db.path().string()},
                            {"schema_version", db.schema_version()},
                            {"key_file", config.key_file.string()},
                            {"key_created", created_key}};
        ctx.out() << j.dump() << "\n";
    } else {
        ctx.out() << "database " << db.path().string() << " at schema version " << db.schema_version() << "\n"
                  << "key file " << config.key_file.string() << (created_key ? " created" : " present") << "\n";
    }
    return kExitOk;
}

}  // namespace

Runner setup_init(CLI::App&) { return run_init; }

}  // namespace calsync
