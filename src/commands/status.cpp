// calsync status: one screen of what exists and what needs attention.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

#include "commands/commands.hpp"
#include "store/integrations.hpp"
#include "store/webhooks.hpp"
#include "util/time.hpp"

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
    WebhookStore webhooks(db);
    QueueCounts queue = webhooks.counts();
    std::optional<int64_t> next_expiry;
    int64_t channels = 0, expired = 0, failing = 0;
    const int64_t now = ctx.clock().now();
    for (const auto& ch : webhooks.all_channels()) {
        if (ch.status != "active") continue;
        channels++;
        if (ch.expires_at <= now) expired++;
        if (ch.last_error) failing++;
        if (!next_expiry || ch.expires_at < *next_expiry) next_expiry = ch.expires_at;
    }
    SQLite::Statement oldest(db.sql(), "SELECT min(received_at) FROM webhook_queue WHERE status = 'pending'");
    oldest.executeStep();
    std::optional<int64_t> oldest_pending;
    if (!oldest.getColumn(0).isNull()) oldest_pending = oldest.getColumn(0).getInt64();
    auto time_or_null = [](const std::optional<int64_t>& t) {
        return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
    };
    if (ctx.json()) {
        nlohmann::json j = {{"database", db.path().string()},
                            {"schema_version", db.schema_version()},
                            {"integrations", {{"total", list.size()}, {"by_status", by_status}}},
                            {"needs_reauth", attention},
                            {"queue",
                             {{"pending", queue.pending},
                              {"processing", queue.processing},
                              {"done", queue.done},
                              {"rejected", queue.rejected},
                              {"dead", queue.dead},
                              {"oldest_pending_at", time_or_null(oldest_pending)}}},
                            {"dead_letters", queue.dead},
                            {"channels",
                             {{"active", channels}, {"expired", expired}, {"failing", failing},
                              {"next_expiry", time_or_null(next_expiry)}}}};
        ctx.out() << j.dump() << "\n";
        return kExitOk;
    }
    auto& out = ctx.out();
    out << fmt::format("database      {} (schema {})\n", db.path().string(), db.schema_version());
    out << fmt::format("integrations  {} connected, {} need re-authorization, {} disconnected\n",
                       by_status["connected"], by_status["needs_reauth"], by_status["disconnected"]);
    out << fmt::format("push channels {} active{}{}, next expiry {}\n", channels,
                       expired ? fmt::format(", {} EXPIRED (run calsync renew)", expired) : "",
                       failing ? fmt::format(", {} failing to renew", failing) : "",
                       next_expiry ? format_rfc3339(*next_expiry) : "-");
    out << fmt::format("queue         {} pending, {} processing, {} done, {} rejected, {} dead letters{}\n",
                       queue.pending, queue.processing, queue.done, queue.rejected, queue.dead,
                       oldest_pending ? ", oldest pending since " + format_rfc3339(*oldest_pending) : "");
    if (queue.dead > 0)
        out << fmt::format("  ! {} dead letters: see the logs, then `calsync process-queue --retry-dead`\n", queue.dead);
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
