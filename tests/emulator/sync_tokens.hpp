// What stands behind the opaque tokens the calendar endpoints hand out:
// Google page and sync tokens, Graph skip and delta tokens. Each token names
// a calendar, the change sequence it stands at and the calendar's epoch when
// the round began; /_control/sync/expire bumps the epoch, which kills every
// token issued before. Entries never change once issued, so retrying a page
// with the same token returns the same page.
#pragma once

#include "civil_time.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>

namespace emu {

// Where the previous page of a round stopped: after item `sub` of the record
// with `id` (listings in id order) or `seq` (change listings in sequence order).
struct PagePosition {
    bool started = false;
    std::string id;
    std::uint64_t seq = 0;
    std::int64_t sub = -1;
};

// One round of pages: a full listing (since == 0, in id order) or the changes
// in (since, until] (in sequence order).
struct Round {
    std::string calendar_key;
    std::string query;  // Google: the request's parameters; a page token only works with the same ones
    bool incremental = false;
    std::uint64_t since = 0, until = 0;
    std::uint64_t epoch = 0;
    UnixSeconds window_start = 0, window_end = 0;  // Graph calendarView
    PagePosition position;
    int pages_served = 0;
};

// A completed round: the next one returns the changes after `seq`.
struct Cursor {
    std::string calendar_key;
    std::uint64_t seq = 0, epoch = 0;
    UnixSeconds window_start = 0, window_end = 0;  // Graph calendarView
};

class SyncTokens {
public:
    std::string issue_page(Round round, bool graph);
    std::string issue_cursor(Cursor cursor, bool graph);
    const Round* page(const std::string& token) const;
    const Cursor* cursor(const std::string& token) const;
    void clear();

private:
    std::unordered_map<std::string, Round> pages_;
    std::unordered_map<std::string, Cursor> cursors_;
};

}  // namespace emu
