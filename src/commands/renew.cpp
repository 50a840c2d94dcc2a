// calsync renew [--within DURATION] [--dry-run] (SPEC 4.3): channels expiring
// within DURATION (default 24h) are renewed (Graph PATCH) or replaced (Google:
// new channel first, then the old one stopped); a subscription Graph no longer
// knows is re-created; missing channels are created. Every connected
// integration is tried; exit 1 if any failed.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "commands/channel_output.hpp"
#include "commands/commands.hpp"
#include "commands/sync_setup.hpp"

namespace calsync {
namespace {

struct RenewOptions {
    std::string within = "24h";
    bool dry_run = false;
};

int run_renew(const RenewOptions& o, Context& ctx) {
    auto within = parse_duration(o.within);
    if (!within || within->count() < 0) throw UsageError("--within: expected a duration like 24h");
    const Config& config = ctx.config();
    if (config.public_url.empty())
        throw ConfigError("public-url is not set: push channels need the address where calsync-webhook is reachable");
    std::vector<Integration> targets = IntegrationStore(ctx.db()).targets({});

    SyncServices services(config, ctx.key(), ctx.clock());
    SyncWorker& w = services.worker();
    ChannelManager channels(config, w.db, w.api, w.clock);
    nlohmann::json out = nlohmann::json::array();
    std::map<std::string, int> counts;
    int failed = 0;
    for (const auto& i : targets) {
        std::vector<ChannelReport> reports;
        try {
            reports = channels.renew(i, within->count(), o.dry_run);
        } catch (const ConfigError&) {
            throw;
        } catch (const std::exception& e) {
            reports.emplace_back(i.id, "", "renew", e.what());
            spdlog::error("integration {}: {}", i.id, e.what());
        }
        for (const auto& r : reports) {
            if (!r.ok) failed++;
            else counts[r.action]++;
            if (ctx.json()) {
                auto j = channel_report_json(r);
                j["dry_run"] = o.dry_run;
                out.push_back(j);
            } else if (r.action != "kept" || !r.ok || ctx.options().verbosity > 0) {
                print_channel_report(ctx.out(), r);
            }
        }
    }
    if (ctx.json())
        ctx.out() << out.dump() << "\n";
    else
        ctx.out() << fmt::format("renew{}: {} renewed, {} replaced, {} recreated, {} created, {} stopped, {} kept, "
                                 "{} failed\n",
                                 o.dry_run ? " (dry run, nothing changed)" : "", counts["renewed"], counts["replaced"],
                                 counts["recreated"], counts["created"], counts["stopped"], counts["kept"], failed);
    return failed > 0 ? kExitPartial : kExitOk;
}

}  // namespace

Runner setup_renew(CLI::App& sub) {
    auto o = std::make_shared<RenewOptions>();
    sub.add_option("--within", o->within, "renew channels expiring within this time (default 24h)");
    sub.add_flag("--dry-run", o->dry_run, "only say what would be renewed, replaced or created");
    return [o](Context& ctx) { return run_renew(*o, ctx); };
}

}  // namespace calsync
