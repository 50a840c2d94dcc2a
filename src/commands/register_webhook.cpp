// calsync register-webhook [ID…|--all] (SPEC 4.2): a fresh push channel for
// every synced calendar of the integrations; old channels are stopped at the
// provider once their replacement exists. Exit 1 if any failed, 4 if the only
// failures need re-authorization.
#include <spdlog/spdlog.h>

#include "commands/channel_output.hpp"
#include "commands/commands.hpp"
#include "commands/sync_setup.hpp"

namespace calsync {
namespace {

struct RegisterOptions {
    std::vector<int64_t> ids;
    bool all = false;
};

int run_register(const RegisterOptions& o, Context& ctx) {
    if (o.all == !o.ids.empty()) throw UsageError("give integration ids or --all");
    const Config& config = ctx.config();
    if (config.public_url.empty())
        throw ConfigError("public-url is not set: push channels need the address where calsync-webhook is reachable");
    std::vector<Integration> targets = IntegrationStore(ctx.db()).targets(o.ids);  // --all: ids is empty
    SyncServices services(config, ctx.key(), ctx.clock());
    SyncWorker& w = services.worker();
    ChannelManager channels(config, w.db, w.api, w.clock);
    nlohmann::json out = nlohmann::json::array();
    int failed = 0, reauth = 0, ok = 0;
    for (const auto& i : targets) {
        std::vector<ChannelReport> reports;
        try {
            if (CalendarStore(w.db).list(i.id).empty()) discover_calendars(w, i, {});
            reports = channels.register_all(i);
        } catch (const ReauthRequired& e) {
            reauth++;
            reports.emplace_back(i.id, "", "created", e.what());
        } catch (const ConfigError&) {
            throw;
        } catch (const std::exception& e) {
            reports.emplace_back(i.id, "", "created", e.what());
            spdlog::error("integration {}: {}", i.id, e.what());
        }
        for (const auto& r : reports) {
            (r.ok ? ok : failed)++;
            if (ctx.json())
                out.push_back(channel_report_json(r));
            else
                print_channel_report(ctx.out(), r);
        }
    }
    failed -= reauth;
    if (ctx.json()) ctx.out() << out.dump() << "\n";
    if (failed > 0) return kExitPartial;
    if (reauth > 0) return kExitReauth;
    return kExitOk;
}

}  // namespace

Runner setup_register_webhook(CLI::App& sub) {
    auto o = std::make_shared<RegisterOptions>();
    sub.add_option("ids", o->ids, "integration ids");
    sub.add_flag("--all", o->all, "every connected integration");
    return [o](Context& ctx) { return run_register(*o, ctx); };
}

}  // namespace calsync
