// Parses one page of events from Google `events.list` or a Graph
// calendarView delta response. This is the hot path of a full sync (100,000
// events arrive as ~90 MB of JSON), so it uses simdjson's on-demand API and
// keeps string views into the page instead of copying; nlohmann/json serves
// everything else. A parser owns the last page it parsed: its records are
// valid until the next parse.
#pragma once

#include <simdjson.h>

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
    // Throws ProviderError when the body is not a page of events.
    const EventPage& parse_google(std::string body);
    const EventPage& parse_graph(std::string body);
    const EventPage& parse(bool google, std::string body) {
        return google ? parse_google(std::move(body)) : parse_graph(std::move(body));
    }
    const EventPage& page() const { return page_; }

private:
    void take(std::string body);

    simdjson::ondemand::parser parser_;
    std::string body_;
    EventPage page_;
};

}  // namespace calsync
