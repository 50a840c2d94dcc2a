#include "sync/integration_sync.hpp"

#include <spdlog/spdlog.h>

namespace calsync {

void discover_calendars(SyncWorker& w, const Integration& integration, const std::vector<std::string>& select) {
    auto found = w.api.list_calendars(integration);
    CalendarStore(w.db).save_discovered(integration.id, found, select, w.clock.now());
    spdlog::debug("integration {}: {} calendars", integration.id, found.size());
}

IntegrationSyncResult sync_integration(SyncWorker& w, const Integration& integration, bool full,
                                       const SyncProgress& progress) {
    IntegrationSyncResult result;
    result.integration_id = integration.id;
    SyncLease lease(w.db, integration.id, w.clock.now());
    if (!lease.held()) {
        result.status = "skipped";
        result.error = "another sync of this integration is running";
        spdlog::info("integration {}: {}", integration.id, result.error);
        return result;
    }
    try {
        CalendarStore calendars(w.db);
        if (calendars.list(integration.id).empty()) discover_calendars(w, integration, {});
        for (const auto& cal : calendars.list(integration.id)) {
            if (!cal.selected) continue;
            try {
                CalendarSyncResult r = w.syncer.sync(integration, cal, full, &lease, progress);
                result.calendars++;
                result.pages += r.pages;
                result.events += r.events;
                result.upserts += r.applied.upserts;
                result.deletes += r.applied.deletes;
                result.full = result.full || r.full;
            } catch (const ReauthRequired&) {
                throw;
            } catch (const std::exception& e) {
                // One calendar failing does not stop the others.
                result.status = "failed";
                result.error = e.what();
                result.temporary = dynamic_cast<const TemporaryError*>(&e) != nullptr;
                spdlog::error("integration {}: {}", integration.id, e.what());
            }
        }
    } catch (const ReauthRequired& e) {
        result.status = "needs_reauth";
        result.error = e.what();
        spdlog::error("{}", e.what());
    } catch (const std::exception& e) {
        result.status = "failed";
        result.error = e.what();
        result.temporary = dynamic_cast<const TemporaryError*>(&e) != nullptr;
        spdlog::error("integration {}: {}", integration.id, e.what());
    }
    return result;
}

}  // namespace calsync
