// calsync calendars ID [--refresh] [--select CAL]… [--deselect CAL]…: the
// calendars of one integration and which of them are synced. The primary
// calendar is synced by default; deselecting deletes its local events.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands/commands.hpp"
#include "commands/sync_setup.hpp"
#include "util/time.hpp"

namespace calsync {
namespace {

struct CalendarsOptions {
    int64_t id = 0;
    bool refresh = false;
    std::vector<std::string> select, deselect;
};

int64_t event_count(Database& db, int64_t calendar_id) {
    SQLite::Statement q(db.sql(), "SELECT count(*) FROM events WHERE calendar_id = ?");
    q.bind(1, calendar_id);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

int run_calendars(const CalendarsOptions& o, Context& ctx) {
    Integration integration = IntegrationStore(ctx.db()).require(o.id);
    CalendarStore store(ctx.db());
    if (o.refresh || (store.list(o.id).empty() && integration.status == "connected")) {
        SyncServices services(ctx.config(), ctx.key(), ctx.clock());
        discover_calendars(services.worker(), integration, {});
    }
    for (const auto& cal : o.select) store.set_selected(o.id, cal, true, ctx.clock().now());
    for (const auto& cal : o.deselect) store.set_selected(o.id, cal, false, ctx.clock().now());

    auto list = store.list(o.id);
    auto opt_time = [](const std::optional<int64_t>& t) {
        return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
    };
    if (ctx.json()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& c : list)
            arr.push_back({{"id", c.provider_calendar_id}, {"name", c.name}, {"primary", c.is_primary},
                           {"selected", c.selected}, {"time_zone", c.time_zone}, {"last_sync_at", opt_time(c.last_sync_at)},
                           {"last_full_sync_at", opt_time(c.last_full_sync_at)},
                           {"last_error", c.last_error ? nlohmann::json(*c.last_error) : nlohmann::json(nullptr)},
                           {"events", event_count(ctx.db(), c.id)}});
        ctx.out() << arr.dump() << "\n";
        return kExitOk;
    }
    ctx.out() << fmt::format("{:<3} {:<40} {:<24} {:>7}  {}\n", "", "CALENDAR", "NAME", "EVENTS", "LAST SYNC");
    for (const auto& c : list)
        ctx.out() << fmt::format("{:<3} {:<40} {:<24} {:>7}  {}\n", std::string(c.selected ? "*" : " ") + (c.is_primary ? "P" : ""),
                                 c.provider_calendar_id, c.name, event_count(ctx.db(), c.id),
                                 c.last_sync_at ? format_rfc3339(*c.last_sync_at) : "-");
    ctx.out() << "(* synced, P primary)\n";
    return kExitOk;
}

}  // namespace

Runner setup_calendars(CLI::App& sub) {
    auto o = std::make_shared<CalendarsOptions>();
    sub.add_option("id", o->id, "integration id")->required();
    sub.add_flag("--refresh", o->refresh, "read the calendar list from the provider again");
    sub.add_option("--select", o->select, "sync this calendar too (repeatable)");
    sub.add_option("--deselect", o->deselect, "stop syncing this calendar and delete its local events (repeatable)");
    return [o](Context& ctx) { return run_calendars(*o, ctx); };
}

}  // namespace calsync
