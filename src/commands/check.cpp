// calsync integrations check [ID…]: proves each integration still works by
// reading the account identity with its access token, refreshing the token
// when it is about to expire or is refused (401). Exit 4 when any needs
// re-authorization, 1 when any failed otherwise.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands/check.hpp"
#include "oauth/oauth_client.hpp"
#include "oauth/token_manager.hpp"

namespace calsync {

int run_check(const std::vector<int64_t>& ids, Context& ctx) {
    IntegrationStore store(ctx.db());
    std::vector<Integration> targets;
    if (ids.empty()) {
        for (auto& i : store.list())
            if (i.status != "disconnected") targets.push_back(i);
    } else {
        for (int64_t id : ids) targets.push_back(store.require(id));
    }
    TokenManager tokens(ctx.config(), ctx.db(), ctx.key(), ctx.http(), ctx.clock());
    int exit_code = kExitOk;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& i : targets) {
        nlohmann::json r = {{"id", i.id}, {"provider", std::string(to_string(i.provider))}, {"account_email", i.account_email}};
        try {
            std::string url = OAuthClient(i.provider, ctx.config(), ctx.http()).identity_url();
            HttpResponse resp = tokens.call(i, [&](const Secret& token) {
                return send_with_retry(ctx.http(), {"GET", url, {{"Authorization", "Bearer " + token.reveal()}}, ""}, {});
            });
            if (!resp.ok())
                throw ProviderError(std::string(to_string(i.provider)) + ": account check answered HTTP " +
                                        std::to_string(resp.status), resp.status);
            r["ok"] = true;
            r["status"] = "connected";
        } catch (const ReauthRequired& e) {
            spdlog::error("{}", e.what());
            r["ok"] = false;
            r["status"] = "needs_reauth";
            r["error"] = e.what();
            exit_code = kExitReauth;
        } catch (const Error& e) {
            spdlog::error("integration {}: {}", i.id, e.what());
            r["ok"] = false;
            r["status"] = i.status;
            r["error"] = e.what();
            if (exit_code == kExitOk) exit_code = e.exit_code() == kExitTemporary ? kExitTemporary : kExitPartial;
        }
        if (!ctx.json())
            ctx.out() << "integration " << i.id << " (" << i.account_email << "): "
                      << (r["ok"].get<bool>() ? "ok" : r["status"].get<std::string>()) << "\n";
        results.push_back(r);
    }
    if (ctx.json()) ctx.out() << results.dump() << "\n";
    return exit_code;
}

}  // namespace calsync
