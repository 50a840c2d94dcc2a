// Parses one page of events from Google `events.list` or a Graph
// calendarView delta response. This is the hot path of a full sync (100,000
// events arrive as ~90 MB of JSON), so it uses simdjson's on-demand API and
// keeps string views into the page instead of copying; nlohmann/json serves
// everything else. A parser owns the last page it parsed (its body and the
// strings of its records): its records are valid until the next parse. The
// simdjson parser (~5 bytes of buffers per byte of page) can be shared by
// PageParsers that never parse at the same time: the records do not point
// into it once parse_* returns.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sync/event.hpp"

namespace calsync {

struct EventPage {
    std::vector<EventRecord> items;  // in page order: a later item for the same id wins
    // Google: removing a series also removes its exceptions. Graph lists each
    // removed occurrence itself.
    bool removal_takes_exceptions = false;
    std::optional<std::string> next_page;  // Google nextPageToken / Graph @odata.nextLink
    std::optional<std::string> cursor;     // Google nextSyncToken / Graph @odata.deltaLink
    size_t skipped = 0;                    // items without an id or with unreadable times
};

class PageParser {
public:
    PageParser() : own_(std::make_unique<simdjson::ondemand::parser>()), json_(own_.get()) {}
    explicit PageParser(simdjson::ondemand::parser& shared) : json_(&shared) {}

    // Throws ProviderError when the body is not a page of events.
    const EventPage& parse_google(std::string body);
    const EventPage& parse_graph(std::string body);
    const EventPage& parse(bool google, std::string body) {
        return google ? parse_google(std::move(body)) : parse_graph(std::move(body));
    }
    const EventPage& page() const { return page_; }

private:
    void take(std::string body);
    // Copies the records' unescaped strings (views into the simdjson parser)
    // into strings_.
    void own_strings();

    std::unique_ptr<simdjson::ondemand::parser> own_;
    simdjson::ondemand::parser* json_;
    std::string body_;
    std::string strings_;
    EventPage page_;
};

}  // namespace calsync
