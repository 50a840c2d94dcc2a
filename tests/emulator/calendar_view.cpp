#include "calendar_view.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace emu {
namespace {

constexpr UnixSeconds kMinTime = -(UnixSeconds(1) << 40);
constexpr UnixSeconds kMaxTime = UnixSeconds(1) << 40;
constexpr std::size_t kGoogleInstanceCap = 730;  // instances of one endless series (singleEvents=true)
constexpr std::size_t kGraphOccurrenceCap = 5000;

ViewItem::Kind kind_of(const Event& e) {
    if (e.is_series()) return ViewItem::Kind::series;
    if (e.is_exception()) return ViewItem::Kind::exception;
    return ViewItem::Kind::single;
}

bool contains_folded(const std::optional<std::string>& text, const std::string& needle) {
    if (!text) return false;
    auto it = std::search(text->begin(), text->end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != text->end();
}

bool series_overlaps(const Event& master, UnixSeconds from, UnixSeconds to) {
    if (master.start >= to) return false;
    if (from <= kMinTime) return true;
    auto last_end = series_last_end(*master.rule, master.timing());
    return !last_end || *last_end > from;
}

ViewItem item(ViewItem::Form form, ViewItem::Kind kind, Event event, std::int64_t sub = 0) {
    ViewItem out;
    out.form = form;
    out.kind = kind;
    out.event = std::move(event);
    out.sub = sub;
    return out;
}

// Occurrence items sort by original start; `tag` orders items of one start.
std::int64_t sub_of(UnixSeconds original_start, int tag = 0) { return original_start * 4 + tag; }

ViewItem removed_item(std::string id, std::int64_t sub) {
    Event event;
    event.id = std::move(id);
    event.deleted = true;
    return item(ViewItem::Form::removed, ViewItem::Kind::single, std::move(event), sub);
}

}  // namespace

bool overlaps(const Event& event, UnixSeconds from, UnixSeconds to) { return event.end > from && event.start < to; }

Event make_occurrence(const CalendarStore& store, const Calendar& cal, const Event& master, UnixSeconds original_start) {
    Event occurrence = master;
    occurrence.id = store.occurrence_id(cal, master.id, original_start, master.all_day);
    occurrence.recurrence.clear();
    occurrence.rule.reset();
    occurrence.prior_shapes.clear();
    occurrence.serial = 0;
    occurrence.recurring_event_id = master.id;
    occurrence.original_start = original_start;
    occurrence.start = original_start;
    occurrence.end = original_start + (master.end - master.start);
    return occurrence;
}

std::vector<UnixSeconds> plain_occurrences(const Calendar& cal, const Event& master, UnixSeconds from, UnixSeconds to,
                                           std::size_t cap) {
    std::vector<UnixSeconds> out;
    auto replaced = cal.exceptions.find(master.id);
    const std::map<UnixSeconds, std::string>* exceptions = replaced == cal.exceptions.end() ? nullptr : &replaced->second;
    expand_occurrences(*master.rule, master.timing(), from, to, cap, [&](UnixSeconds start) {
        if (!exceptions || !exceptions->count(start)) out.push_back(start);
        return true;
    });
    return out;
}

void google_items(const CalendarStore& store, const Calendar& cal, const Event& record, const GoogleQuery& q,
                  std::vector<ViewItem>& out) {
    bool show_removed = q.incremental || q.show_deleted || q.updated_min.has_value();
    UnixSeconds from = q.incremental ? kMinTime : q.time_min.value_or(kMinTime);
    UnixSeconds to = q.incremental ? kMaxTime : q.time_max.value_or(kMaxTime);
    if (!q.incremental) {
        if (q.updated_min && record.updated_ms < *q.updated_min) return;
        if (!q.ical_uid.empty() && event_ical_uid(Provider::google, record) != q.ical_uid) return;
        if (!q.q.empty() && !contains_folded(record.summary, q.q) && !contains_folded(record.location, q.q) &&
            !contains_folded(record.description, q.q))
            return;
    }
    if (record.deleted) {
        if (!show_removed) return;
        if (q.single_events && record.is_series()) {
            // singleEvents=true reports a deleted series as its cancelled instances.
            expand_occurrences(*record.rule, record.timing(), from, to, kGoogleInstanceCap, [&](UnixSeconds start) {
                out.push_back(item(ViewItem::Form::cancelled_instance, ViewItem::Kind::occurrence,
                                   make_occurrence(store, cal, record, start), sub_of(start)));
                return true;
            });
            return;
        }
        out.push_back(item(ViewItem::Form::removed, kind_of(record), record));
        return;
    }
    if (record.is_exception() && record.status == EventStatus::cancelled) {
        // With singleEvents=false a cancelled occurrence of a live series is
        // listed even without showDeleted; with singleEvents=true only with it.
        if (q.single_events && !show_removed) return;
        if (record.original_start >= to || record.original_start + (record.end - record.start) <= from) return;
        out.push_back(item(ViewItem::Form::cancelled_instance, ViewItem::Kind::exception, record));
        return;
    }
    if (record.is_series()) {
        if (!q.single_events) {
            if (series_overlaps(record, from, to))
                out.push_back(item(ViewItem::Form::full, ViewItem::Kind::series, record));
            return;
        }
        for (UnixSeconds start : plain_occurrences(cal, record, from, to, kGoogleInstanceCap))
            out.push_back(item(ViewItem::Form::full, ViewItem::Kind::occurrence, make_occurrence(store, cal, record, start),
                               sub_of(start)));
        return;
    }
    if (overlaps(record, from, to)) out.push_back(item(ViewItem::Form::full, kind_of(record), record));
}

void graph_window_items(const CalendarStore& store, const Calendar& cal, const Event& record, UnixSeconds window_start,
                        UnixSeconds window_end, std::vector<ViewItem>& out) {
    if (record.deleted) return;
    // Outlook removes a cancelled occurrence from the view altogether.
    if (record.is_exception() && record.status == EventStatus::cancelled) return;
    if (record.is_series()) {
        for (UnixSeconds start : plain_occurrences(cal, record, window_start, window_end, kGraphOccurrenceCap))
            out.push_back(item(ViewItem::Form::full, ViewItem::Kind::occurrence, make_occurrence(store, cal, record, start),
                               sub_of(start)));
        return;
    }
    if (overlaps(record, window_start, window_end))
        out.push_back(item(ViewItem::Form::full, kind_of(record), record));
}

void graph_change_items(const CalendarStore& store, const Calendar& cal, const Event& record, std::uint64_t since,
                        UnixSeconds window_start, UnixSeconds window_end, std::vector<ViewItem>& out) {
    std::size_t first = out.size();
    if (!record.is_series()) {
        bool gone = record.deleted || (record.is_exception() && record.status == EventStatus::cancelled);
        if (gone || !overlaps(record, window_start, window_end)) {
            out.push_back(removed_item(record.id, std::numeric_limits<std::int64_t>::min()));
        } else {
            out.push_back(item(ViewItem::Form::full, kind_of(record), record, std::numeric_limits<std::int64_t>::min()));
        }
    } else {
        // calendarView never shows a master; should the id have been a single
        // event before, this removes it.
        out.push_back(removed_item(record.id, std::numeric_limits<std::int64_t>::min()));
        if (record.deleted) {
            expand_occurrences(*record.rule, record.timing(), window_start, window_end, kGraphOccurrenceCap,
                               [&](UnixSeconds start) {
                                   out.push_back(removed_item(
                                       store.occurrence_id(cal, record.id, start, record.all_day), sub_of(start)));
                                   return true;
                               });
        } else {
            graph_window_items(store, cal, record, window_start, window_end, out);
        }
    }
    // Occurrences of the record's earlier series shapes that no longer exist.
    for (const auto& shape : record.prior_shapes) {
        if (shape.replaced_seq <= since) continue;
        expand_occurrences(shape.rule, shape.timing, window_start, window_end, kGraphOccurrenceCap,
                           [&](UnixSeconds start) {
                               if (record.deleted || !record.is_series() ||
                                   !is_occurrence(*record.rule, record.timing(), start))
                                   out.push_back(removed_item(
                                       store.occurrence_id(cal, record.id, start, shape.timing.all_day),
                                       sub_of(start, 1)));
                               return true;
                           });
    }
    std::stable_sort(out.begin() + std::ptrdiff_t(first), out.end(),
                     [](const ViewItem& a, const ViewItem& b) { return a.sub < b.sub; });
}

ViewItem record_item(const Event& record) {
    if (record.deleted) return item(ViewItem::Form::removed, kind_of(record), record);
    if (record.is_exception() && record.status == EventStatus::cancelled)
        return item(ViewItem::Form::cancelled_instance, ViewItem::Kind::exception, record);
    return item(ViewItem::Form::full, kind_of(record), record);
}

bool walk_by_id(const Calendar& cal, PagePosition& position, std::size_t limit, const Expander& expand,
                std::vector<ViewItem>& out) {
    std::vector<ViewItem> buf;
    auto it = position.started ? cal.events.lower_bound(position.id) : cal.events.begin();
    for (; it != cal.events.end(); ++it) {
        buf.clear();
        expand(it->second, buf);
        bool resumed = position.started && it->first == position.id;
        for (auto& item : buf) {
            if (resumed && item.sub <= position.sub) continue;
            if (out.size() >= limit) return true;
            position.started = true;
            position.id = it->first;
            position.sub = item.sub;
            out.push_back(std::move(item));
        }
    }
    return false;
}

bool walk_changes(const Calendar& cal, std::uint64_t since, std::uint64_t until, PagePosition& position,
                  std::size_t limit, const Expander& expand, std::vector<ViewItem>& out) {
    std::vector<ViewItem> buf;
    auto it = position.started ? cal.changes.lower_bound(position.seq) : cal.changes.upper_bound(since);
    for (; it != cal.changes.end() && it->first <= until; ++it) {
        buf.clear();
        expand(*it->second, buf);
        bool resumed = position.started && it->first == position.seq;
        for (auto& item : buf) {
            if (resumed && item.sub <= position.sub) continue;
            if (out.size() >= limit) return true;
            position.started = true;
            position.seq = it->first;
            position.sub = item.sub;
            out.push_back(std::move(item));
        }
    }
    return false;
}

}  // namespace emu
