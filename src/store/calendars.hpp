// The calendars of each integration and their sync state. The primary
// calendar is selected (synced) by default; deselecting a calendar deletes
// its local events (with tombstones in the change feed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace calsync {

struct Calendar {
    int64_t id = 0;
    int64_t integration_id = 0;
    std::string provider_calendar_id;
    std::string name;
    std::string time_zone;
    bool is_primary = false;
    bool selected = false;
    std::optional<std::string> sync_cursor;
    std::optional<int64_t> window_start, window_end;
    std::optional<int64_t> last_sync_at, last_full_sync_at;
    std::optional<std::string> last_error;
};

struct DiscoveredCalendar {
    std::string id;
    std::string name;
    std::string time_zone;
    bool is_primary = false;
};

class CalendarStore {
public:
    explicit CalendarStore(Database& db) : db_(db) {}

    std::vector<Calendar> list(int64_t integration_id);
    std::optional<Calendar> find(int64_t integration_id, const std::string& provider_calendar_id);

    // Records the provider's calendar list: new calendars are selected when
    // primary (or when named in `select`); known ones keep their selection;
    // calendars the provider no longer lists are removed with their events.
    void save_discovered(int64_t integration_id, const std::vector<DiscoveredCalendar>& found,
                         const std::vector<std::string>& select, int64_t now);
    // Selects or deselects one calendar; throws UsageError for an unknown id.
    void set_selected(int64_t integration_id, const std::string& provider_calendar_id, bool selected, int64_t now);

    // Deletes every calendar of the integration with its events, in one
    // transaction; each event gets a delete in the change feed.
    void remove_all(int64_t integration_id, int64_t now);

private:
    void remove_events(int64_t calendar_id, int64_t now);
    Database& db_;
};

}  // namespace calsync
