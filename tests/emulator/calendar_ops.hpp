// The changes tests make to calendars (POST /_control/events, seed, churn):
// create, update, delete, move, cancel or edit one occurrence. They keep the
// provider rules: deleting a series deletes its exceptions, a series whose
// timing changes drops its exceptions, a moved event keeps its id at Google
// and gets a new one at Outlook. Errors are ControlErrors. Expects state.mu held.
#pragma once

#include "calendar_model.hpp"
#include "control.hpp"

#include <optional>
#include <string>
#include <vector>

namespace emu {

// Field changes, as the control API takes them. Times are RFC 3339 strings
// ("2026-11-24T10:00:00+01:00"; without an offset: wall time in the event's
// zone) or dates ("2026-11-24", all-day; the end date is exclusive).
struct EventChanges {
    std::optional<std::optional<std::string>> summary, location, description;  // inner nullopt: remove
    std::optional<std::string> start, end;
    std::optional<bool> all_day;
    std::optional<std::string> time_zone;
    std::optional<std::vector<std::string>> recurrence;  // empty: no longer recurring
    std::optional<EventStatus> status;
};

// Reads summary, location, description, start, end, all_day, time_zone,
// recurrence (RRULE lines, or {"freq","count"?,"interval"?,"until"?,"by_day"?}) and status.
EventChanges parse_changes(const Json& body);

Event& create_event(CalendarStore& store, Calendar& cal, const EventChanges& changes, Millis now);
Event& update_event(CalendarStore& store, Calendar& cal, const std::string& id, const EventChanges& changes, Millis now);
// An exception (a changed occurrence) is cancelled rather than removed, as at both providers.
void delete_event(CalendarStore& store, Calendar& cal, const std::string& id, Millis now);
Event& move_event(CalendarStore& store, Calendar& from, const std::string& id, Calendar& to, Millis now);
Event& cancel_instance(CalendarStore& store, Calendar& cal, const std::string& series_id, UnixSeconds original_start,
                       Millis now);
Event& edit_instance(CalendarStore& store, Calendar& cal, const std::string& series_id, UnixSeconds original_start,
                     const EventChanges& changes, Millis now);

// An occurrence's original start as the control API takes it (RFC 3339 or a date).
UnixSeconds parse_original_start(const std::string& text);

}  // namespace emu
