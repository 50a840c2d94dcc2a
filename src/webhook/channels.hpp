// Push channels at the providers (SPEC 4.2, 4.3): Google `events.watch` /
// `channels/stop`, Graph subscriptions (create, PATCH, DELETE). One channel per
// selected calendar. A new secret (`<org>:<32 hex>`) per channel; only its
// SHA-256 digest is kept. Replacing a channel creates the new one first and
// stops the old one after, so notifications never have a gap; a stop that
// fails leaves the old row `retiring`, and the next renew stops it again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "store/calendars.hpp"
#include "store/integrations.hpp"
#include "store/webhooks.hpp"
#include "sync/provider_api.hpp"
#include "util/time.hpp"

namespace calsync {

// What happened to one channel (or would, with --dry-run).
struct ChannelReport {
    ChannelReport() = default;
    ChannelReport(int64_t integration, std::string cal, std::string what, std::string failure = {})
        : integration_id(integration), calendar(std::move(cal)), action(std::move(what)), ok(failure.empty()),
          error(std::move(failure)) {}

    int64_t integration_id = 0;
    std::string calendar;  // provider calendar id ("" for a channel whose calendar is gone)
    std::string action;    // created | replaced | renewed | recreated | stopped | kept
    bool ok = true;
    std::string error;
    std::string channel_id;
    std::optional<int64_t> expires_at;
};

class ChannelManager {
public:
    ChannelManager(const Config& config, Database& db, ProviderApi& api, const Clock& clock);

    // register-webhook: a fresh channel for every selected calendar; old
    // channels of the integration are stopped after their replacement exists.
    std::vector<ChannelReport> register_all(const Integration& integration);
    // renew: channels expiring before now + within are renewed (Graph) or
    // replaced (Google); missing ones created; retiring ones stopped again.
    std::vector<ChannelReport> renew(const Integration& integration, int64_t within, bool dry_run);
    // disconnect: stops every channel of the integration and forgets them;
    // rethrows TemporaryError (provider unreachable) so the caller can stop.
    std::vector<ChannelReport> stop_all(const Integration& integration);

    // Graph lifecycle: reauthorizationRequired → extend the subscription
    // (re-creating it when Graph no longer knows it); subscriptionRemoved →
    // create a new one.
    ChannelReport extend(const Integration& integration, const WebhookChannel& channel);
    ChannelReport recreate(const Integration& integration, const WebhookChannel& channel);

private:
    WebhookChannel create(const Integration& integration, const Calendar& calendar);
    // Stops at the provider and deletes the row; on failure marks it retiring
    // and rethrows. A channel the provider no longer knows counts as stopped.
    void stop(const Integration& integration, const WebhookChannel& channel);
    // stop(), reported (a failure is a failed report, not an exception);
    // with dry_run only the report.
    ChannelReport stop_reported(const Integration& integration, const WebhookChannel& channel,
                                const std::string& calendar, bool dry_run);
    // PATCH; returns the new expiry, or nullopt when Graph answers 404.
    std::optional<int64_t> patch_expiry(const Integration& integration, const WebhookChannel& channel);
    ChannelReport replace(const Integration& integration, const Calendar& calendar,
                          const std::vector<WebhookChannel>& old, const std::string& action);

    const Config& config_;
    Database& db_;
    ProviderApi& api_;
    const Clock& clock_;
    WebhookStore store_;
};

// Channel secrets: "<org>:<32 hex>", at most 128 characters (Graph's clientState limit).
std::string new_channel_secret(const std::string& org);

}  // namespace calsync
