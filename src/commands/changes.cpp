// calsync changes [--since SEQ] [--follow] [--limit N]: the change feed of
// SPEC §4.6, in `seq` order. With --json one compact object per line, built by
// SQLite (the event snapshot as `events --json` shows it: stored, or read from
// the event row that still holds it; see sync/event_json.hpp). --follow
// keeps waiting for new changes until SIGINT/SIGTERM, then exits 0. What it
// prints is durable (store/change_log.hpp, DurableSnapshot).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <thread>

#include "commands/commands.hpp"
#include "store/change_log.hpp"
#include "sync/event_json.hpp"

namespace calsync {
namespace {

struct ChangesOptions {
    int64_t since = 0;
    bool follow = false;
    int64_t limit = 0;
    CLI::Option* limit_option = nullptr;
};

// kChangeEventSql: the stored snapshot, or the event row that still holds it.
const std::string kJsonLineSql =
    "SELECT seq, json_object('seq', seq, 'integration', integration_id, 'calendar', provider_calendar_id, "
    "'event_id', event_id, 'op', op, 'event', CASE WHEN json_valid(ev) THEN json(ev) END, "
    "'at', strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch')) "
    "FROM (SELECT cl.*, " + kChangeEventSql + " AS ev FROM change_log cl WHERE cl.seq > ? ORDER BY cl.seq LIMIT ?)";

const std::string kTextLineSql =
    "SELECT seq, strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch'), op, integration_id, provider_calendar_id, "
    "event_id, CASE WHEN json_valid(ev) THEN json_extract(ev, '$.start') END, "
    "CASE WHEN json_valid(ev) THEN json_extract(ev, '$.summary') END "
    "FROM (SELECT cl.*, " + kChangeEventSql + " AS ev FROM change_log cl WHERE cl.seq > ? ORDER BY cl.seq LIMIT ?)";

constexpr int64_t kBatch = 1000;
constexpr auto kPollInterval = std::chrono::milliseconds(500);

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

// SIGINT/SIGTERM end --follow cleanly; the previous handlers come back after.
class StopOnSignals {
public:
    StopOnSignals() {
        g_stop = 0;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~StopOnSignals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    StopOnSignals(const StopOnSignals&) = delete;
    StopOnSignals& operator=(const StopOnSignals&) = delete;
    bool stopped() const { return g_stop != 0; }

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

std::string text_or_dash(const SQLite::Column& c) {
    if (c.isNull()) return "-";
    std::string s = c.getString();
    for (char& ch : s)
        if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';  // one change, one line
    return s;
}

// Prints changes after `cursor` (at most `budget`, < 0 for all), advancing it.
// Only durable ones: a change printed must survive a power failure.
int64_t print_batch(Database& db, bool json, int64_t& cursor, int64_t budget, std::ostream& out) {
    DurableSnapshot durable(db);
    int64_t printed = 0;
    for (;;) {
        int64_t want = budget < 0 ? kBatch : std::min(kBatch, budget - printed);
        if (want <= 0) break;
        SQLite::Statement st(db.sql(), json ? kJsonLineSql : kTextLineSql);
        st.bind(1, cursor);
        st.bind(2, want);
        int64_t got = 0;
        while (st.executeStep()) {
            cursor = st.getColumn(0).getInt64();
            if (json)
                out << st.getColumn(1).getString() << "\n";
            else
                out << fmt::format("{:>6}  {}  {:<6}  {}  {}  {}  {}  {}\n", cursor, st.getColumn(1).getString(),
                                   st.getColumn(2).getString(), st.getColumn(3).getInt64(),
                                   text_or_dash(st.getColumn(4)), text_or_dash(st.getColumn(5)),
                                   text_or_dash(st.getColumn(6)), text_or_dash(st.getColumn(7)));
            ++got;
        }
        printed += got;
        if (got < want) break;
    }
    out.flush();
    return printed;
}

int64_t data_version(Database& db) { return db.sql().execAndGet("PRAGMA data_version").getInt64(); }

int run_changes(const ChangesOptions& o, Context& ctx) {
    if (o.since < 0) throw UsageError("--since must be 0 or a change sequence number");
    if (o.limit_option->count() && o.limit < 1) throw UsageError("--limit must be at least 1");
    int64_t remaining = o.limit_option->count() ? o.limit : -1;
    Database& db = ctx.db();
    std::ostream& out = ctx.out();
    int64_t cursor = o.since;
    auto take = [&] {
        int64_t n = print_batch(db, ctx.json(), cursor, remaining, out);
        if (remaining > 0) remaining -= n;
    };
    if (!o.follow) {
        take();
        return kExitOk;
    }
    StopOnSignals signals;
    // Read the version before each drain, so a commit landing mid-drain still
    // shows up as a change on the next check.
    int64_t version = data_version(db);
    take();
    while (remaining != 0 && !signals.stopped()) {
        for (auto slept = std::chrono::milliseconds(0); slept < kPollInterval && !signals.stopped();
             slept += std::chrono::milliseconds(100))
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (signals.stopped()) break;
        int64_t now = data_version(db);
        if (now == version) continue;
        version = now;
        take();
        if (!out) throw Error("changes: standard output closed");
    }
    return kExitOk;
}

}  // namespace

Runner setup_changes(CLI::App& sub) {
    auto o = std::make_shared<ChangesOptions>();
    sub.add_option("--since", o->since, "print changes after this sequence number (default 0: from the start)");
    sub.add_flag("--follow", o->follow, "keep waiting for new changes until interrupted");
    o->limit_option = sub.add_option("--limit", o->limit, "stop after N changes");
    return [o](Context& ctx) { return run_changes(*o, ctx); };
}

}  // namespace calsync
