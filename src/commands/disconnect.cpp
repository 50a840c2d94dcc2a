// calsync disconnect ID [--purge]: revoke the grant at the provider, wipe the
// stored tokens and mark the integration disconnected. If the provider cannot
// be reached, nothing changes (exit 75), so the token is never left live but forgotten.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands/commands.hpp"
#include "commands/sync_setup.hpp"
#include "webhook/channels.hpp"
#include "oauth/oauth_client.hpp"
#include "store/calendars.hpp"
#include "store/integrations.hpp"

namespace calsync {
namespace {

struct DisconnectOptions {
    int64_t id = 0;
    bool purge = false;
};

int run_disconnect(const DisconnectOptions& o, Context& ctx) {
    IntegrationStore store(ctx.db());
    Integration i = store.require(o.id);
    bool revoked = false;
    int64_t channels_stopped = 0;
    if (i.status != "disconnected") {
        // Push channels first, while the token still works. A provider that
        // cannot be reached stops everything here (exit 75, nothing changed);
        // a channel it refuses to stop is logged and forgotten (it expires).
        WebhookStore webhooks(ctx.db());
        if (!webhooks.channels(i.id).empty()) {
            SyncServices services(ctx.config(), ctx.key(), ctx.clock());
            ChannelManager channels(ctx.config(), services.worker().db, services.worker().api, ctx.clock());
            std::vector<ChannelReport> reports;
            try {
                reports = channels.stop_all(i);
            } catch (const ReauthRequired& e) {
                spdlog::warn("integration {}: channels not stopped at the provider ({}); they expire on their own",
                             i.id, e.what());
            }
            for (const auto& r : reports) {
                if (r.ok) channels_stopped++;
                else
                    spdlog::warn("integration {}: channel {} not stopped at the provider ({}); it expires on its own",
                                 i.id, r.channel_id, r.error);
            }
            auto tx = ctx.db().write_transaction();
            SQLite::Statement del(ctx.db().sql(), "DELETE FROM webhook_channels WHERE integration_id = ?");
            del.bind(1, i.id);
            del.exec();
            tx.commit();
        }
        StoredTokens tokens = store.tokens(ctx.key(), i.id);
        // Google revokes the whole grant from either token; Microsoft has no
        // revocation endpoint for delegated tokens, so the tokens are only wiped.
        const Secret& token = tokens.refresh_token.empty() ? tokens.access_token : tokens.refresh_token;
        if (!token.empty()) revoked = OAuthClient(i.provider, ctx.config(), ctx.http()).revoke(token);
        if (i.provider == Provider::microsoft)
            spdlog::info("microsoft has no token revocation endpoint; tokens wiped locally. The user can remove the "
                         "app at https://myapps.microsoft.com");
        store.mark_disconnected(i.id, ctx.clock().now());
    }
    // Tombstones in the change feed too, so its consumers drop the events.
    if (o.purge) CalendarStore(ctx.db()).remove_all(i.id, ctx.clock().now());
    if (ctx.json()) {
        nlohmann::json j = {{"id", i.id}, {"status", "disconnected"}, {"revoked_at_provider", revoked}, {"purged", o.purge},
                            {"channels_stopped", channels_stopped}};
        ctx.out() << j.dump() << "\n";
    } else {
        ctx.out() << "Disconnected integration " << i.id << " (" << i.account_email << ")"
                  << (revoked ? ", access revoked at " + std::string(to_string(i.provider)) : "")
                  << (o.purge ? ", stored calendar data deleted" : "") << "\n";
    }
    return kExitOk;
}

}  // namespace

Runner setup_disconnect(CLI::App& sub) {
    auto o = std::make_shared<DisconnectOptions>();
    sub.add_option("id", o->id, "integration id")->required();
    sub.add_flag("--purge", o->purge, "also delete the integration's synced calendar data");
    return [o](Context& ctx) { return run_disconnect(*o, ctx); };
}

}  // namespace calsync
