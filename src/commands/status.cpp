// calsync status: one screen of what exists and what needs attention.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

#include "commands/commands.hpp"
#include "store/integrations.hpp"

namespace calsync {
namespace {

int run_status(Context& ctx) {
    Database& db = ctx.db();
    auto list = IntegrationStore(db).list();
    std::map<std::string, int> by_status = {{"connected", 0}, {"needs_reauth", 0}, {"disconnected", 0}};
    nlohmann::json attention = nlohmann::json::array();
    for (const auto& i : list) {
        by_status[i.status]++;
        if (i.status == "needs_reauth")
            attention.push_back({{"id", i.id}, {"org", i.org_id}, {"provider", std::string(to_string(i.provider))},
                                 {"account_email", i.account_email}, {"status", i.status},
                                 {"last_error", i.last_error ? nlohmann::json(*i.last_error) : nlohmann::json(nullptr)}});
    }
    if (ctx.json()) {
        nlohmann::json j = {{"database", db.path().string()},
                            {"schema_version", db.schema_version()},
                            {"integrations", {{"total", list.size()}, {"by_status", by_status}}},
                            {"needs_reauth", attention}};
        ctx.out() << j.dump() << "\n";
        return kExitOk;
    }
    auto& out = ctx.out();
    out << fmt::format("database      {} (schema {})\n", db.path().string(), db.schema_version());
    out << fmt::format("integrations  {} connected, {} need re-authorization, {} disconnected\n",
                       by_status["connected"], by_status["needs_reauth"], by_status["disconnected"]);
    for (const auto& a : attention)
        out << fmt::format("  ! integration {} ({} {}, org {}) needs re-authorization: calsync authorize {} --org {}\n",
                           a["id"].get<int64_t>(), a["provider"].get<std::string>(),
                           a["account_email"].get<std::string>(), a["org"].get<std::string>(),
                           a["provider"].get<std::string>(), a["org"].get<std::string>());
    return kExitOk;
}

}  // namespace

Runner setup_status(CLI::App&) { return run_status; }

}  // namespace calsync
