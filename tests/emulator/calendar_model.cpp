#include "calendar_model.hpp"

#include "util/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace emu {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Google event ids: base32hex, lower case, 26 characters.
std::string google_id(std::uint64_t a) {
    static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
    std::string out;
    std::uint64_t b = mix64(a ^ 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 13; ++i) out += kAlphabet[(a >> (i * 5)) & 31];
    for (int i = 0; i < 13; ++i) out += kAlphabet[(b >> (i * 5)) & 31];
    return out;
}

// Outlook ids: "AAMkAG…" base64 (URL-safe, as Graph returns them) ending in '='.
std::string outlook_id(std::uint64_t a) {
    std::string raw;
    for (int i = 0; i < 6; ++i) {
        a = mix64(a + std::uint64_t(i));
        for (int b = 0; b < 8; ++b) raw += char((a >> (8 * b)) & 0xff);
    }
    return "AAMkAG" + calsync::base64url_encode(raw) + "AAA=";
}

}  // namespace

std::string_view status_name(EventStatus status) {
    switch (status) {
    case EventStatus::confirmed: return "confirmed";
    case EventStatus::tentative: return "tentative";
    case EventStatus::cancelled: return "cancelled";
    }
    return "confirmed";
}

std::uint64_t stable_hash(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::uint64_t mix64(std::uint64_t x) {  // splitmix64's finalizer
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

const Event* Calendar::find_live(const std::string& event_id) const {
    auto it = events.find(event_id);
    return it == events.end() || it->second.deleted ? nullptr : &it->second;
}

Event* Calendar::find_live(const std::string& event_id) {
    auto it = events.find(event_id);
    return it == events.end() || it->second.deleted ? nullptr : &it->second;
}

std::vector<Calendar*> CalendarStore::calendars_of(const User& user) {
    primary(user);
    return by_owner_[user.id];
}

Calendar& CalendarStore::primary(const User& user) {
    auto& owned = by_owner_[user.id];
    for (Calendar* cal : owned) {
        if (cal->primary) return *cal;
    }
    bool google = user.provider == Provider::google;
    // Ids derive from the email, so a fresh emulator gives the same ids again.
    std::string id = google ? lower(user.email) : outlook_id(stable_hash("calendar|" + lower(user.email)));
    Calendar& cal = create(user, id, google ? user.email : "Calendar", "UTC");
    cal.primary = true;
    // The primary comes first.
    std::rotate(owned.begin(), owned.end() - 1, owned.end());
    return cal;
}

Calendar* CalendarStore::find(const User& user, std::string_view id) {
    if (id == "primary") return &primary(user);
    for (Calendar* cal : calendars_of(user)) {
        if (cal->id == id || (cal->provider == Provider::google && lower(cal->id) == lower(id))) return cal;
    }
    return nullptr;
}

Calendar* CalendarStore::by_key(const std::string& key) {
    auto it = calendars_.find(key);
    return it == calendars_.end() ? nullptr : it->second.get();
}

Calendar& CalendarStore::create(const User& user, std::string id, std::string name, std::string time_zone) {
    bool google = user.provider == Provider::google;
    auto& owned = by_owner_[user.id];
    if (id.empty()) {
        std::uint64_t h = stable_hash("calendar|" + lower(user.email) + "|" + std::to_string(owned.size()));
        id = google ? google_id(h) + "@group.calendar.google.com" : outlook_id(h);
    }
    auto cal = std::make_unique<Calendar>();
    cal->key = std::string(provider_name(user.provider)) + "|" + id;
    if (calendars_.count(cal->key)) throw std::invalid_argument("calendar " + id + " already exists");
    cal->provider = user.provider;
    cal->owner_id = user.id;
    cal->owner_email = user.email;
    cal->owner_name = user.name;
    cal->id = std::move(id);
    cal->name = std::move(name);
    cal->time_zone = std::move(time_zone);
    cal->updated_ms = now_ms();
    Calendar* raw = cal.get();
    calendars_.emplace(raw->key, std::move(cal));
    owned.push_back(raw);
    return *raw;
}

// No lookup for collisions: 128 bits of hash do not collide, and a lookup
// per id was a third of the time of a 100,000-event seed.
std::string CalendarStore::new_event_id(Calendar& cal) {
    std::uint64_t h = mix64(stable_hash(cal.key) ^ mix64(++cal.ids_issued));
    return cal.provider == Provider::google ? google_id(h) : outlook_id(h);
}

std::string CalendarStore::occurrence_id(const Calendar& cal, const std::string& master_id, UnixSeconds original_start,
                                         bool all_day) const {
    if (cal.provider == Provider::google) return master_id + "_" + format_basic(original_start, all_day);
    return outlook_id(stable_hash(master_id) ^ mix64(std::uint64_t(original_start)));
}

std::string event_ical_uid(Provider provider, const Event& event) {
    if (!event.ical_uid.empty()) return event.ical_uid;
    const std::string& event_id = event.is_exception() ? event.recurring_event_id : event.id;
    if (provider == Provider::google) return event_id + "@google.com";
    std::uint64_t a = stable_hash(event_id), b = mix64(a);
    std::string raw;
    for (int i = 0; i < 8; ++i) raw += char((a >> (8 * i)) & 0xff);
    for (int i = 0; i < 8; ++i) raw += char((b >> (8 * i)) & 0xff);
    std::string hex = calsync::hex_encode(raw);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::toupper(c); });
    return "040000008200E00074C5B7101A82E00800000000" + hex;
}

Event& CalendarStore::insert(Calendar& cal, Event event, Millis now, bool notify_listeners) {
    auto hint = cal.events.end();
    if (cal.last_inserted != cal.events.end() && cal.last_inserted->first < event.id) {
        auto next = std::next(cal.last_inserted);
        if (next == cal.events.end() || event.id < next->first) hint = next;
    }
    auto before = cal.events.size();
    auto it = cal.events.try_emplace(hint, event.id);
    if (cal.events.size() == before) cal.changes.erase(it->second.seq);
    event.seq = 0;
    it->second = std::move(event);
    Event& stored = it->second;
    if (stored.created_ms == 0) stored.created_ms = now;
    if (stored.serial == 0) stored.serial = ++cal.arrivals;
    if (stored.is_exception() && !stored.deleted)
        cal.exceptions[stored.recurring_event_id][stored.original_start] = stored.id;
    touch(cal, stored, now, false);
    cal.last_inserted = it;
    if (notify_listeners) notify(cal, &stored, Change::created);
    return stored;
}

void CalendarStore::touch(Calendar& cal, Event& event, Millis now, bool notify_listeners) {
    if (event.seq) cal.changes.erase(event.seq);
    event.seq = ++cal.seq;
    cal.changes.emplace_hint(cal.changes.end(), event.seq, &event);
    etag_clock_ = std::max<std::uint64_t>(etag_clock_ + 1, std::uint64_t(now) * 1000);
    event.etag_clock = etag_clock_;
    event.updated_ms = now;
    cal.updated_ms = now;
    if (notify_listeners) notify(cal, &event, Change::updated);
}

void CalendarStore::tombstone(Calendar& cal, Event& event, Millis now, bool notify_listeners) {
    if (event.is_exception()) {
        auto series = cal.exceptions.find(event.recurring_event_id);
        if (series != cal.exceptions.end()) {
            series->second.erase(event.original_start);
            if (series->second.empty()) cal.exceptions.erase(series);
        }
    }
    event.deleted = true;
    touch(cal, event, now, false);
    if (notify_listeners) notify(cal, &event, Change::deleted);
}

void CalendarStore::notify(const Calendar& cal, const Event* event, Change change) {
    for (const auto& listener : listeners_) listener(cal, event, change);
}

void CalendarStore::clear() {
    calendars_.clear();
    by_owner_.clear();
    tokens.clear();
}

}  // namespace emu
