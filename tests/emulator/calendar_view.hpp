// What a listing shows of a calendar: which records become which items
// (events, expanded occurrences, cancelled occurrences, deletions) for
// Google's events.list and Graph's calendarView delta, and the walkers that
// cut those items into pages. Items are copies, so pages are rendered after
// state.mu is released. Expects state.mu held.
#pragma once

#include "calendar_model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace emu {

struct ViewItem {
    enum class Form {
        full,                // the whole event
        cancelled_instance,  // Google: a cancelled occurrence of a series (id, recurringEventId, originalStartTime)
        removed,             // Google: a deleted event (id only); Graph: @removed
    };
    enum class Kind { single, series, occurrence, exception };
    Form form = Form::full;
    Kind kind = Kind::single;
    Event event;  // an occurrence: the master's fields moved to that occurrence, with its own id
    // Orders the items of one record (by original start for occurrences), so a
    // page that ends inside a series resumes right after the last occurrence
    // sent even if the series' other occurrences changed meanwhile.
    std::int64_t sub = 0;
};

// Google events.list parameters that shape the items.
struct GoogleQuery {
    bool single_events = false;
    bool show_deleted = false;
    bool incremental = false;  // syncToken: deletions always come back
    std::optional<UnixSeconds> time_min, time_max;
    std::optional<Millis> updated_min;
    std::string ical_uid, q;
};

// The items one stored record contributes, in increasing `sub`.
void google_items(const CalendarStore& store, const Calendar& cal, const Event& record, const GoogleQuery& query,
                  std::vector<ViewItem>& out);
// Graph calendarView over [window_start, window_end): singles, occurrences and exceptions overlapping it.
void graph_window_items(const CalendarStore& store, const Calendar& cal, const Event& record, UnixSeconds window_start,
                        UnixSeconds window_end, std::vector<ViewItem>& out);
// Graph delta: what a change of `record` after sequence `since` means for the window
// (the item, or @removed when it is gone or outside the window).
void graph_change_items(const CalendarStore& store, const Calendar& cal, const Event& record, std::uint64_t since,
                        UnixSeconds window_start, UnixSeconds window_end, std::vector<ViewItem>& out);

// A stored record as one item (full, cancelled occurrence or removed).
ViewItem record_item(const Event& record);

Event make_occurrence(const CalendarStore& store, const Calendar& cal, const Event& master, UnixSeconds original_start);
// The master's occurrences overlapping [from, to) that no exception replaces.
std::vector<UnixSeconds> plain_occurrences(const Calendar& cal, const Event& master, UnixSeconds from, UnixSeconds to,
                                           std::size_t cap);
bool overlaps(const Event& event, UnixSeconds from, UnixSeconds to);

using Expander = std::function<void(const Event& record, std::vector<ViewItem>& out)>;

// Up to `limit` items after `position`, records in id order. Moves `position`
// to the last item taken; returns whether more items follow.
bool walk_by_id(const Calendar& cal, PagePosition& position, std::size_t limit, const Expander& expand,
                std::vector<ViewItem>& out);
// The same over the records changed in (since, until], in sequence order.
bool walk_changes(const Calendar& cal, std::uint64_t since, std::uint64_t until, PagePosition& position,
                  std::size_t limit, const Expander& expand, std::vector<ViewItem>& out);

}  // namespace emu
