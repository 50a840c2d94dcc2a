#include "calendar_ops.hpp"

#include "calendar_view.hpp"

#include <algorithm>
#include <cctype>

namespace emu {
namespace {

constexpr std::size_t kMaxPriorShapes = 16;

std::optional<std::optional<std::string>> optional_text(const Json& body, const char* key) {
    if (!body.contains(key)) return std::nullopt;
    if (body[key].is_null()) return std::optional<std::string>{};
    if (!body[key].is_string()) throw ControlError(400, std::string("\"") + key + "\" must be a string or null");
    return std::optional<std::string>(body[key].get<std::string>());
}

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

// {"freq":"WEEKLY","count":10} -> "RRULE:FREQ=WEEKLY;COUNT=10"
std::string rrule_from_object(const Json& spec) {
    if (!spec.contains("freq") || !spec["freq"].is_string()) throw ControlError(400, "recurrence needs \"freq\"");
    std::string line = "RRULE:FREQ=" + upper(spec["freq"].get<std::string>());
    if (spec.contains("interval")) line += ";INTERVAL=" + std::to_string(spec["interval"].get<int>());
    if (spec.contains("count")) line += ";COUNT=" + std::to_string(spec["count"].get<int>());
    if (spec.contains("until")) {
        std::string until = spec["until"].get<std::string>();
        auto day = parse_day(until);
        auto t = day ? day : parse_iso_lenient(until);
        if (!t) throw ControlError(400, "bad recurrence until: " + until);
        line += ";UNTIL=" + format_basic(*t, day.has_value());
    }
    if (spec.contains("by_day")) {
        std::string days;
        for (const auto& d : spec["by_day"]) days += (days.empty() ? "" : ",") + upper(d.get<std::string>());
        line += ";BYDAY=" + days;
    }
    return line;
}

std::vector<std::string> recurrence_lines(const Json& value) {
    if (value.is_null()) return {};
    if (value.is_object()) return {rrule_from_object(value)};
    std::vector<std::string> lines;
    if (value.is_string()) lines.push_back(value.get<std::string>());
    else if (value.is_array()) {
        for (const auto& line : value) {
            if (!line.is_string()) throw ControlError(400, "\"recurrence\" lines must be strings");
            lines.push_back(line.get<std::string>());
        }
    } else {
        throw ControlError(400, "\"recurrence\" must be RRULE lines, an object or null");
    }
    for (auto& line : lines) {
        if (line.rfind("FREQ=", 0) == 0) line = "RRULE:" + line;
    }
    return lines;
}

UnixSeconds parse_when(const std::string& text, bool all_day, const std::string& zone) {
    if (all_day) {
        auto day = parse_day(text);
        if (!day) throw ControlError(400, "all-day times are dates (YYYY-MM-DD), not " + text);
        return *day;
    }
    if (text.size() == 10) throw ControlError(400, "a date for a timed event: " + text);
    if (auto exact = parse_rfc3339_strict(text)) return *exact;
    auto wall = parse_iso_lenient(text);  // no offset: wall time in the event's zone
    if (!wall) throw ControlError(400, "bad time: " + text);
    return local_to_utc(zone, *wall);
}

// Applies `c` to `e`; `fresh`: `e` is being created, `occurrence`: `e` is (becoming) an exception.
void apply(Event& e, const EventChanges& c, const Calendar& cal, bool fresh, bool occurrence) {
    if (c.time_zone) {
        if (!known_zone(*c.time_zone)) throw ControlError(400, "unknown time zone " + *c.time_zone);
        e.time_zone = canonical_zone(*c.time_zone);
    } else if (e.time_zone.empty()) {
        e.time_zone = cal.time_zone;
    }
    bool all_day = c.all_day ? *c.all_day : c.start ? c.start->size() == 10 : e.all_day;
    if (occurrence && !fresh && all_day != e.all_day)
        throw ControlError(400, "an occurrence cannot switch between all-day and timed");
    if (!fresh && !c.start && all_day != e.all_day) throw ControlError(400, "changing all_day needs a start");
    if (fresh && !c.start) throw ControlError(400, "\"start\" is required");
    UnixSeconds duration = fresh || all_day != e.all_day ? (all_day ? kDay : 3600) : e.end - e.start;
    if (c.start) e.start = parse_when(*c.start, all_day, e.time_zone);
    e.end = c.end ? parse_when(*c.end, all_day, e.time_zone) : c.start ? e.start + duration : e.end;
    e.all_day = all_day;
    if (e.end <= e.start) throw ControlError(400, "the end must be after the start");
    if (c.summary) e.summary = *c.summary;
    if (c.location) e.location = *c.location;
    if (c.description) e.description = *c.description;
    if (c.status) e.status = *c.status;
    if (c.recurrence) {
        if (occurrence) throw ControlError(400, "an occurrence cannot have a recurrence");
        if (c.recurrence->empty()) {
            e.recurrence.clear();
            e.rule.reset();
        } else {
            std::string error;
            auto rule = parse_recurrence(*c.recurrence, error);
            if (!rule) throw ControlError(400, "recurrence: " + error);
            e.recurrence = *c.recurrence;
            e.rule = rule;
        }
    }
}

Event& need_live(Calendar& cal, const std::string& id) {
    Event* event = cal.find_live(id);
    if (!event) throw ControlError(404, "no event " + id + " in calendar " + cal.id);
    return *event;
}

Event& need_series(Calendar& cal, const std::string& id, UnixSeconds original_start) {
    Event& master = need_live(cal, id);
    if (!master.is_series()) throw ControlError(400, "event " + id + " is not a recurring series");
    if (!is_occurrence(*master.rule, master.timing(), original_start))
        throw ControlError(404, "series " + id + " has no occurrence at " + format_utc(original_start));
    return master;
}

Event* existing_exception(Calendar& cal, const std::string& master_id, UnixSeconds original_start) {
    auto series = cal.exceptions.find(master_id);
    if (series == cal.exceptions.end()) return nullptr;
    auto it = series->second.find(original_start);
    return it == series->second.end() ? nullptr : &cal.events.at(it->second);
}

void drop_exceptions(CalendarStore& store, Calendar& cal, const std::string& master_id, Millis now) {
    auto series = cal.exceptions.find(master_id);
    if (series == cal.exceptions.end()) return;
    std::vector<std::string> ids;
    for (const auto& [start, id] : series->second) ids.push_back(id);
    for (const auto& id : ids) store.tombstone(cal, cal.events.at(id), now);
}

}  // namespace

EventChanges parse_changes(const Json& body) {
    EventChanges c;
    c.summary = optional_text(body, "summary");
    c.location = optional_text(body, "location");
    c.description = optional_text(body, "description");
    if (body.contains("start")) c.start = need_string(body, "start");
    if (body.contains("end")) c.end = need_string(body, "end");
    if (body.contains("all_day")) {
        if (!body["all_day"].is_boolean()) throw ControlError(400, "\"all_day\" must be a boolean");
        c.all_day = body["all_day"].get<bool>();
    }
    if (body.contains("time_zone")) c.time_zone = need_string(body, "time_zone");
    if (body.contains("recurrence")) c.recurrence = recurrence_lines(body["recurrence"]);
    if (body.contains("status")) {
        std::string status = need_string(body, "status");
        if (status == "confirmed") c.status = EventStatus::confirmed;
        else if (status == "tentative") c.status = EventStatus::tentative;
        else throw ControlError(400, "\"status\" must be confirmed or tentative (use delete or cancel_instance)");
    }
    return c;
}

UnixSeconds parse_original_start(const std::string& text) {
    auto t = text.size() == 10 ? parse_day(text) : parse_iso_lenient(text);
    if (!t) throw ControlError(400, "bad original_start: " + text);
    return *t;
}

Event& create_event(CalendarStore& store, Calendar& cal, const EventChanges& changes, Millis now) {
    Event event;
    event.id = store.new_event_id(cal);
    apply(event, changes, cal, true, false);
    return store.insert(cal, std::move(event), now);
}

Event& update_event(CalendarStore& store, Calendar& cal, const std::string& id, const EventChanges& changes,
                    Millis now) {
    Event& event = need_live(cal, id);
    if (event.is_exception() && event.status == EventStatus::cancelled)
        throw ControlError(409, "occurrence " + id + " is cancelled");
    Event next = event;
    apply(next, changes, cal, false, event.is_exception());
    bool timing_changed = next.start != event.start || next.end != event.end || next.all_day != event.all_day ||
                          next.time_zone != event.time_zone || next.recurrence != event.recurrence;
    if (timing_changed) ++next.sequence;
    if (event.is_series() && timing_changed) {
        // Like "all events" edits: the exceptions no longer fit and go away.
        drop_exceptions(store, cal, id, now);
        next.prior_shapes.push_back({event.timing(), *event.rule, cal.seq + 1});
        if (next.prior_shapes.size() > kMaxPriorShapes) next.prior_shapes.erase(next.prior_shapes.begin());
    }
    event = std::move(next);
    store.touch(cal, event, now);
    return event;
}

void delete_event(CalendarStore& store, Calendar& cal, const std::string& id, Millis now) {
    Event& event = need_live(cal, id);
    if (event.is_exception()) {
        if (event.status == EventStatus::cancelled) throw ControlError(409, "occurrence " + id + " is already cancelled");
        event.status = EventStatus::cancelled;
        ++event.sequence;
        store.touch(cal, event, now);
        return;
    }
    if (event.is_series()) drop_exceptions(store, cal, id, now);
    store.tombstone(cal, event, now);
}

Event& move_event(CalendarStore& store, Calendar& from, const std::string& id, Calendar& to, Millis now) {
    if (&from == &to) throw ControlError(400, "the event is already in calendar " + to.id);
    if (from.owner_id != to.owner_id) throw ControlError(400, "events move between one user's calendars only");
    Event& event = need_live(from, id);
    if (event.is_exception()) throw ControlError(400, "an occurrence cannot be moved; move its series");
    bool google = from.provider == Provider::google;
    // Google keeps the id; Outlook gives the moved item a new one.
    std::string new_id = google ? id : store.new_event_id(to);
    if (to.find_live(new_id)) throw ControlError(409, "calendar " + to.id + " already has event " + new_id);
    Event moved = event;
    moved.ical_uid = event_ical_uid(from.provider, event);  // the uid survives the move
    moved.id = new_id;
    moved.prior_shapes.clear();
    moved.serial = 0;
    std::vector<Event> exceptions;
    if (auto series = from.exceptions.find(id); series != from.exceptions.end()) {
        for (const auto& [start, exception_id] : series->second) {
            Event copy = from.events.at(exception_id);
            copy.ical_uid = moved.ical_uid;
            copy.recurring_event_id = new_id;
            copy.serial = 0;
            if (!google) copy.id = store.occurrence_id(to, new_id, copy.original_start, copy.all_day);
            exceptions.push_back(std::move(copy));
        }
    }
    drop_exceptions(store, from, id, now);
    store.tombstone(from, event, now);
    Event& placed = store.insert(to, std::move(moved), now);
    for (auto& exception : exceptions) store.insert(to, std::move(exception), now);
    return placed;
}

Event& cancel_instance(CalendarStore& store, Calendar& cal, const std::string& series_id, UnixSeconds original_start,
                       Millis now) {
    Event& master = need_series(cal, series_id, original_start);
    if (Event* exception = existing_exception(cal, series_id, original_start)) {
        if (exception->status == EventStatus::cancelled)
            throw ControlError(409, "that occurrence is already cancelled");
        exception->status = EventStatus::cancelled;
        ++exception->sequence;
        store.touch(cal, *exception, now);
        return *exception;
    }
    Event exception = make_occurrence(store, cal, master, original_start);
    exception.status = EventStatus::cancelled;
    exception.created_ms = now;
    return store.insert(cal, std::move(exception), now);
}

Event& edit_instance(CalendarStore& store, Calendar& cal, const std::string& series_id, UnixSeconds original_start,
                     const EventChanges& changes, Millis now) {
    Event& master = need_series(cal, series_id, original_start);
    if (Event* exception = existing_exception(cal, series_id, original_start))
        return update_event(store, cal, exception->id, changes, now);
    Event exception = make_occurrence(store, cal, master, original_start);
    exception.created_ms = now;
    apply(exception, changes, cal, false, true);
    ++exception.sequence;
    return store.insert(cal, std::move(exception), now);
}

}  // namespace emu
