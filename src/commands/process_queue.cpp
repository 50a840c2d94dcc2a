// calsync process-queue [--max N] [--retry-dead] [--max-attempts N] (SPEC
// 4.5): settles the notifications calsync-webhook queued. Prints
// `processed N, failed N, rejected N`; exit 1 if any failed.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands/commands.hpp"
#include "commands/sync_setup.hpp"
#include "webhook/queue_processor.hpp"

namespace calsync {
namespace {

int run_process_queue(const QueueRunOptions& o, Context& ctx) {
    if (o.max < 0) throw UsageError("--max must be 0 (no limit) or more");
    if (o.max_attempts < 1 || o.max_attempts > 100) throw UsageError("--max-attempts must be between 1 and 100");
    SyncServices services(ctx.config(), ctx.key(), ctx.clock());
    QueueRunResult r = process_queue(ctx.config(), services.worker(), o);
    if (ctx.json()) {
        nlohmann::json j = {{"processed", r.processed}, {"failed", r.failed},   {"rejected", r.rejected},
                            {"dead", r.dead},           {"deferred", r.deferred}, {"syncs", r.syncs},
                            {"reclaimed", r.reclaimed}, {"revived", r.revived}};
        ctx.out() << j.dump() << "\n";
    } else {
        ctx.out() << fmt::format("processed {}, failed {}, rejected {}", r.processed, r.failed, r.rejected);
        if (r.syncs > 0) ctx.out() << fmt::format("; {} syncs", r.syncs);
        if (r.deferred > 0) ctx.out() << fmt::format("; {} deferred (integration busy)", r.deferred);
        if (r.dead > 0) ctx.out() << fmt::format("; {} moved to dead letters", r.dead);
        if (r.reclaimed > 0) ctx.out() << fmt::format("; {} reclaimed", r.reclaimed);
        if (r.revived > 0) ctx.out() << fmt::format("; {} dead letters retried", r.revived);
        ctx.out() << "\n";
    }
    return r.failed > 0 ? kExitPartial : kExitOk;
}

}  // namespace

Runner setup_process_queue(CLI::App& sub) {
    auto o = std::make_shared<QueueRunOptions>();
    sub.add_option("--max", o->max, "take at most N notifications in this run (default 0: all that are due)");
    sub.add_option("--max-attempts", o->max_attempts, "failed attempts before an item is a dead letter (default 8)");
    sub.add_flag("--retry-dead", o->retry_dead, "put dead letters back in the queue first");
    return [o](Context& ctx) { return run_process_queue(*o, ctx); };
}

}  // namespace calsync
