// Bulk and random changes for load and soak tests: POST /_control/seed makes
// N deterministic events in one go, POST /_control/churn applies N seeded
// random operations. Both are reproducible for a given seed and state.
#include "calendar_ops.hpp"
#include "calendar_view.hpp"
#include "control.hpp"

#include <algorithm>
#include <chrono>

namespace emu {
namespace {

const char* const kTitles[] = {"Standup",        "1:1 with Dana",  "Design review",   "Lunch",
                               "Sprint planning", "Dentist",       "Customer call",   "Retro",
                               "Gym",            "Budget review",  "Interview: backend", "Café with Jörg",
                               "Board meeting",  "Release \"v2\" sync", "Focus time",   "Team offsite"};
const char* const kPlaces[] = {"Room 1.01",      "Berlin HQ, Floor 3", "https://meet.example.com/abc-defg",
                               "Café Einstein",  "Zoom",               "Tokyo office",
                               "Main St 12, Springfield"};
constexpr int kDurations[] = {30, 45, 60, 90, 120};

class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() { return mix64(state_++ * 0x9e3779b97f4a7c15ULL); }
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }

private:
    std::uint64_t state_;
};

template <class T, std::size_t N>
const T& pick(Rng& rng, const T (&items)[N]) {
    return items[rng.below(N)];
}

// A random start: a whole quarter-hour between 07:00 and 19:00 local, from 20 days back to 300 ahead.
UnixSeconds random_start(Rng& rng, std::int64_t today, const std::string& zone) {
    std::int64_t day = today - 20 + std::int64_t(rng.below(321));
    UnixSeconds local = day * kDay + (7 + UnixSeconds(rng.below(12))) * 3600 + UnixSeconds(rng.below(4)) * 900;
    return local_to_utc(zone, local);
}

Json seed(State& state, const Json& body) {
    auto started = std::chrono::steady_clock::now();
    User& user = state.ensure_user(need_provider(body.value("provider", "")), need_string(body, "email"));
    CalendarStore& store = *state.calendars;
    Calendar* cal = store.find(user, body.value("calendar", "primary"));
    if (!cal) throw ControlError(404, "no such calendar");
    long count = body.value("count", 0L);
    if (count < 0 || count > 2000000) throw ControlError(400, "\"count\" must be 0..2000000");
    int every_series = body.value("recurring_every", 0), every_all_day = body.value("all_day_every", 0);
    std::uint64_t seed = body.value("seed", std::uint64_t(1));
    Millis now = now_ms();
    std::int64_t today = day_of(now / 1000);
    const auto& zones = sample_zones();
    // Ids first, then the events in id order: each lands next to the previous
    // one in the calendar's tree. Event i draws from its own generator, so the
    // order does not change what it is.
    std::vector<std::pair<std::string, long>> ids;
    ids.reserve(std::size_t(count));
    for (long i = 1; i <= count; ++i) ids.emplace_back(store.new_event_id(*cal), i);
    std::sort(ids.begin(), ids.end());
    std::uint64_t arrived = cal->arrivals;
    for (auto& [id, i] : ids) {
        Rng rng(mix64(seed) ^ mix64(std::uint64_t(i)));
        Event e;
        e.id = std::move(id);
        e.serial = arrived + std::uint64_t(i);  // arrival order is creation order, not id order
        e.summary = std::string(pick(rng, kTitles)) + " #" + std::to_string(i);
        if (rng.below(3) != 0) e.location = pick(rng, kPlaces);
        if (rng.below(5) == 0) e.description = "Agenda:\n- item " + std::to_string(i) + "\n- <b>notes</b>";
        if (rng.below(20) == 0) e.status = EventStatus::tentative;
        e.time_zone = zones[rng.below(zones.size())];
        if (every_all_day > 0 && i % every_all_day == 0) {
            e.all_day = true;
            e.start = (today - 20 + std::int64_t(rng.below(321))) * kDay;
            e.end = e.start + (1 + UnixSeconds(rng.below(3))) * kDay;
        } else {
            e.start = random_start(rng, today, e.time_zone);
            e.end = e.start + kDurations[rng.below(5)] * 60;
        }
        if (every_series > 0 && i % every_series == 0) {
            RecurrenceRule rule;
            rule.freq = RecurrenceRule::Freq::weekly;
            rule.count = 5 + int(rng.below(6));
            e.recurrence = {"RRULE:FREQ=WEEKLY;COUNT=" + std::to_string(rule.count)};
            e.rule = rule;
        }
        store.insert(*cal, std::move(e), now, false);
    }
    cal->arrivals = arrived + std::uint64_t(count);
    store.notify(*cal);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return {{"created", count}, {"calendar", cal->id}, {"seq", cal->seq}, {"elapsed_ms", ms.count()}};
}

// One churn run: candidate lists are kept in step with the operations so the
// choices depend only on the seed and the starting state.
class Churn {
public:
    Churn(CalendarStore& store, Calendar& cal, std::vector<Calendar*> others, std::uint64_t seed)
        : store_(store), cal_(cal), others_(std::move(others)), rng_(seed), today_(day_of(now_ms() / 1000)) {
        // Candidates in order of arrival, so the choices do not depend on the ids.
        std::vector<const Event*> live;
        for (const auto& [id, e] : cal.events) {
            if (!e.deleted && !e.is_exception()) live.push_back(&e);
        }
        std::sort(live.begin(), live.end(), [](const Event* a, const Event* b) { return a->serial < b->serial; });
        for (const Event* e : live) (e->is_series() ? series_ : singles_).push_back(e->id);
    }

    Json run(int ops) {
        for (int i = 0; i < ops; ++i) step();
        return {{"counts", counts_}, {"ops", log_}, {"seq", cal_.seq}};
    }

private:
    void step() {
        std::uint64_t r = rng_.below(100);
        now_ = now_ms();
        if (r < 18) return create_single();
        if (r < 30) return update(pick_from(singles_, series_), "update_summary");
        if (r < 40) return update(pick_from(singles_), "update_time");
        if (r < 47) return update(pick_from(singles_, series_), "update_location");
        if (r < 55) return remove(singles_, "delete");
        if (r < 60) return move();
        if (r < 68) return create_series();
        if (r < 80) return instance("cancel_instance");
        if (r < 92) return instance("edit_instance");
        if (r < 96) return remove(series_, "delete_series");
        return update(pick_from(series_), "update_series_time");
    }

    std::string pick_from(const std::vector<std::string>& a, const std::vector<std::string>& b = {}) {
        std::size_t n = a.size() + b.size();
        if (n == 0) return "";
        std::size_t k = rng_.below(n);
        return k < a.size() ? a[k] : b[k - a.size()];
    }

    void record(const std::string& op, const std::string& id, Json extra = Json::object()) {
        counts_[op] = counts_.value(op, 0) + 1;
        extra["op"] = op;
        extra["id"] = id;
        log_.push_back(std::move(extra));
    }

    EventChanges fresh(bool recurring) {
        EventChanges c;
        std::string zone = sample_zones()[rng_.below(sample_zones().size())];
        UnixSeconds start = random_start(rng_, today_, zone);
        c.time_zone = zone;
        c.start = format_utc(start);
        c.end = format_utc(start + kDurations[rng_.below(5)] * 60);
        c.summary = std::optional<std::string>(std::string(pick(rng_, kTitles)) + " (churn)");
        if (rng_.below(2)) c.location = std::optional<std::string>(pick(rng_, kPlaces));
        if (recurring) {
            std::string freq = rng_.below(3) == 0 ? "DAILY" : "WEEKLY";
            std::string line = "RRULE:FREQ=" + freq;
            if (rng_.below(10) != 0) line += ";COUNT=" + std::to_string(3 + rng_.below(8));
            c.recurrence = std::vector<std::string>{line};
        }
        return c;
    }

    void create_single() {
        Event& e = create_event(store_, cal_, fresh(false), now_);
        singles_.push_back(e.id);
        record("create", e.id);
    }

    void create_series() {
        Event& e = create_event(store_, cal_, fresh(true), now_);
        series_.push_back(e.id);
        record("create_series", e.id);
    }

    void update(const std::string& id, const std::string& op) {
        if (id.empty()) return create_single();
        Event& e = cal_.events.at(id);
        EventChanges c;
        if (op == "update_summary") {
            c.summary = std::optional<std::string>(e.summary.value_or("") + " (edited)");
        } else if (op == "update_location") {
            if (e.location && rng_.below(3) == 0) c.location = std::optional<std::string>();
            else c.location = std::optional<std::string>(pick(rng_, kPlaces));
        } else if (e.all_day) {
            c.start = format_date(e.start + kDay);
            c.end = format_date(e.end + kDay);
        } else {
            UnixSeconds shift = (op == "update_series_time" ? 1800 : 3600 * (1 + UnixSeconds(rng_.below(48))));
            c.start = format_utc(e.start + shift);
            c.end = format_utc(e.end + shift);
        }
        update_event(store_, cal_, id, c, now_);
        record(op, id);
    }

    void remove(std::vector<std::string>& from, const std::string& op) {
        if (from.empty()) return create_single();
        std::size_t k = rng_.below(from.size());
        std::string id = from[k];
        from.erase(from.begin() + std::ptrdiff_t(k));
        delete_event(store_, cal_, id, now_);
        record(op, id);
    }

    void move() {
        if (others_.empty() || singles_.empty()) return create_single();
        std::size_t k = rng_.below(singles_.size());
        std::string id = singles_[k];
        Calendar& to = *others_[rng_.below(others_.size())];
        singles_.erase(singles_.begin() + std::ptrdiff_t(k));
        Event& moved = move_event(store_, cal_, id, to, now_);
        record("move", id, {{"to_calendar", to.id}, {"new_id", moved.id}});
    }

    void instance(const std::string& op) {
        std::string id = pick_from(series_);
        if (id.empty()) return create_series();
        const Event& master = cal_.events.at(id);
        auto starts = plain_occurrences(cal_, master, master.start, master.start + 400 * kDay, 30);
        if (starts.empty()) return create_series();
        UnixSeconds original = starts[rng_.below(starts.size())];
        if (op == "cancel_instance") {
            cancel_instance(store_, cal_, id, original, now_);
        } else {
            EventChanges c;
            c.summary = std::optional<std::string>(master.summary.value_or("") + " (this one moved)");
            if (!master.all_day) {
                c.start = format_utc(original + 7200);
                c.end = format_utc(original + 7200 + (master.end - master.start));
            }
            edit_instance(store_, cal_, id, original, c, now_);
        }
        record(op, id, {{"original_start", master.all_day ? format_date(original) : format_utc(original)}});
    }

    CalendarStore& store_;
    Calendar& cal_;
    std::vector<Calendar*> others_;
    Rng rng_;
    std::int64_t today_;
    Millis now_ = 0;
    std::vector<std::string> singles_, series_;
    Json counts_ = Json::object();
    Json log_ = Json::array();
};

Json churn(State& state, const Json& body) {
    User& user = state.ensure_user(need_provider(body.value("provider", "")), need_string(body, "email"));
    CalendarStore& store = *state.calendars;
    Calendar* cal = store.find(user, body.value("calendar", "primary"));
    if (!cal) throw ControlError(404, "no such calendar");
    int ops = body.value("ops", 0);
    if (ops < 0 || ops > 1000000) throw ControlError(400, "\"ops\" must be 0..1000000");
    std::vector<Calendar*> others;
    for (Calendar* c : store.calendars_of(user)) {
        if (c != cal) others.push_back(c);
    }
    return Churn(store, *cal, others, body.value("seed", std::uint64_t(1))).run(ops);
}

}  // namespace

void register_control_seed(httplib::Server& server, State& state) {
    control_route(server, state, "POST", "/seed", [&state](const Json& body, const auto&) { return seed(state, body); });
    control_route(server, state, "POST", "/churn",
                  [&state](const Json& body, const auto&) { return churn(state, body); });
}

}  // namespace emu
