#include "sync/page_parser.hpp"

#include <array>

#include "errors.hpp"

namespace calsync {
namespace {

using simdjson::ondemand::object;
using simdjson::ondemand::value;

std::string_view str(value v) {
    if (v.is_null()) return {};
    return v.get_string();
}

struct TimeFields {
    std::string_view date, date_time;
};

TimeFields google_time(value v) {
    TimeFields t;
    if (v.is_null()) return t;
    for (auto f : v.get_object()) {
        std::string_view k = f.unescaped_key();
        if (k == "date") t.date = str(f.value());
        else if (k == "dateTime") t.date_time = str(f.value());
    }
    return t;
}

// Reads one Google event; false when it must be skipped.
bool read_google_item(object item, EventRecord& r) {
    TimeFields start, end, original;
    std::string_view status;
    for (auto f : item) {
        std::string_view k = f.unescaped_key();
        if (k == "id") r.event_id = str(f.value());
        else if (k == "status") status = str(f.value());
        else if (k == "summary") { r.summary = str(f.value()); r.has_summary = true; }
        else if (k == "location") { r.location = str(f.value()); r.has_location = true; }
        else if (k == "start") start = google_time(f.value());
        else if (k == "end") end = google_time(f.value());
        else if (k == "updated") r.updated = str(f.value());
        else if (k == "etag") r.etag = str(f.value());
        else if (k == "recurringEventId") r.recurring_event_id = str(f.value());
        else if (k == "originalStartTime") original = google_time(f.value());
        else if (k == "recurrence") {
            value v = f.value();
            if (!v.is_null()) {
                simdjson::ondemand::array rules = v.get_array();
                r.recurrence = rules.raw_json();
            }
        }
    }
    item.reset();
    r.raw = item.raw_json();
    if (r.event_id.empty()) return false;
    r.status = status.empty() ? std::string_view("confirmed") : status;
    auto orig = normalize_google_time(original.date, original.date_time);
    if (orig) r.original_start = orig->text;
    if (status == "cancelled" && r.recurring_event_id.empty()) {
        r.removed = true;  // a deleted event: only its id is guaranteed
        return true;
    }
    auto s = normalize_google_time(start.date, start.date_time);
    auto e = normalize_google_time(end.date, end.date_time);
    if (!s && orig) s = orig;  // a cancelled occurrence carries only originalStartTime
    if (!e) e = s;
    if (!s) return false;
    r.start = s->text;
    r.start_ts = s->ts;
    r.all_day = s->all_day;
    r.end = e->text;
    r.end_ts = std::max(e->ts, s->ts);
    r.kind = !r.recurrence.empty() ? "series" : !r.recurring_event_id.empty() ? "exception" : "single";
    return true;
}

bool read_graph_item(object item, EventRecord& r) {
    std::string_view start, end, original, type;
    bool all_day = false, cancelled = false;
    for (auto f : item) {
        std::string_view k = f.unescaped_key();
        if (k == "id") r.event_id = str(f.value());
        else if (k == "@removed") r.removed = true;
        else if (k == "type") type = str(f.value());
        else if (k == "subject") { r.summary = str(f.value()); r.has_summary = true; }
        else if (k == "location") {
            value loc = f.value();
            if (!loc.is_null())
                for (auto lf : loc.get_object())
                    if (lf.unescaped_key() == std::string_view("displayName")) {
                        r.location = str(lf.value());
                        r.has_location = !r.location.empty();
                    }
        } else if (k == "start" || k == "end") {
            value v = f.value();
            std::string_view dt;
            if (!v.is_null())
                for (auto tf : v.get_object())
                    if (tf.unescaped_key() == std::string_view("dateTime")) dt = str(tf.value());
            (k == "start" ? start : end) = dt;
        } else if (k == "isAllDay") all_day = f.value().get_bool();
        else if (k == "isCancelled") cancelled = f.value().get_bool();
        else if (k == "lastModifiedDateTime") r.updated = str(f.value());
        else if (k == "@odata.etag") r.etag = str(f.value());
        else if (k == "seriesMasterId") r.recurring_event_id = str(f.value());
        else if (k == "originalStart") original = str(f.value());
        else if (k == "recurrence") {
            value v = f.value();
            if (!v.is_null()) {
                object rules = v.get_object();
                r.recurrence = rules.raw_json();
            }
        }
    }
    item.reset();
    r.raw = item.raw_json();
    if (r.event_id.empty()) return false;
    if (r.removed) return true;
    auto s = normalize_graph_time(start, all_day);
    auto e = normalize_graph_time(end, all_day);
    if (!s) return false;
    if (!e) e = s;
    if (auto o = normalize_graph_time(original, all_day)) r.original_start = o->text;  // a date for all-day series
    r.start = s->text;
    r.start_ts = s->ts;
    r.all_day = all_day;
    r.end = e->text;
    r.end_ts = std::max(e->ts, s->ts);
    r.status = cancelled ? "cancelled" : "confirmed";
    r.kind = type == "seriesMaster" ? "series" : type == "occurrence" ? "instance" : type == "exception" ? "exception" : "single";
    return true;
}

}  // namespace

void PageParser::take(std::string body) {
    body_ = std::move(body);
    body_.reserve(body_.size() + simdjson::SIMDJSON_PADDING);
    page_ = EventPage{};
}

void PageParser::own_strings() {
    auto fields = [](EventRecord& r) {
        return std::array<std::string_view*, 7>{&r.event_id, &r.status, &r.summary, &r.location, &r.updated,
                                                &r.etag, &r.recurring_event_id};
    };
    size_t total = 0;
    for (auto& r : page_.items)
        for (auto* v : fields(r)) total += v->size();
    strings_.clear();
    strings_.reserve(total);  // no reallocation below: the views stay valid
    for (auto& r : page_.items)
        for (auto* v : fields(r)) {
            if (v->empty()) {
                *v = std::string_view("");
                continue;
            }
            size_t at = strings_.size();
            strings_.append(*v);
            *v = std::string_view(strings_.data() + at, v->size());
        }
}

const EventPage& PageParser::parse_google(std::string body) {
    take(std::move(body));
    page_.removal_takes_exceptions = true;
    try {
        auto doc = json_->iterate(simdjson::padded_string_view(body_.data(), body_.size(), body_.capacity()));
        bool saw_items = false;
        for (auto f : doc.get_object()) {
            std::string_view k = f.unescaped_key();
            if (k == "nextPageToken") page_.next_page = std::string(str(f.value()));
            else if (k == "nextSyncToken") page_.cursor = std::string(str(f.value()));
            else if (k == "items") {
                saw_items = true;
                for (auto v : f.value().get_array()) {
                    EventRecord r;
                    if (read_google_item(v.get_object(), r)) page_.items.push_back(std::move(r));
                    else page_.skipped++;
                }
            }
        }
        (void)saw_items;  // a page may have no items at all ("or none at all")
    } catch (const simdjson::simdjson_error& e) {
        throw ProviderError(std::string("google: events.list page is not the expected JSON: ") + e.what(), 200);
    }
    own_strings();
    return page_;
}

const EventPage& PageParser::parse_graph(std::string body) {
    take(std::move(body));
    try {
        auto doc = json_->iterate(simdjson::padded_string_view(body_.data(), body_.size(), body_.capacity()));
        for (auto f : doc.get_object()) {
            std::string_view k = f.unescaped_key();
            if (k == "@odata.nextLink") page_.next_page = std::string(str(f.value()));
            else if (k == "@odata.deltaLink") page_.cursor = std::string(str(f.value()));
            else if (k == "value") {
                for (auto v : f.value().get_array()) {
                    EventRecord r;
                    if (read_graph_item(v.get_object(), r)) page_.items.push_back(std::move(r));
                    else page_.skipped++;
                }
            }
        }
    } catch (const simdjson::simdjson_error& e) {
        throw ProviderError(std::string("microsoft: delta page is not the expected JSON: ") + e.what(), 200);
    }
    own_strings();
    return page_;
}

}  // namespace calsync
