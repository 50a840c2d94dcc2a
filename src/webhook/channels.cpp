#include "webhook/channels.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "crypto/crypto.hpp"
#include "errors.hpp"
#include "util/encoding.hpp"

namespace calsync {
namespace {

using json = nlohmann::json;

// Google serializes int64 fields as strings; accept a number too.
std::optional<int64_t> expiration_ms(const json& j) {
    if (!j.contains("expiration")) return std::nullopt;
    const json& e = j["expiration"];
    if (e.is_number_integer()) return e.get<int64_t>();
    if (e.is_string()) {
        const std::string& s = e.get_ref<const std::string&>();
        if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        return std::stoll(s);
    }
    return std::nullopt;
}

std::string provider_name(const Integration& i) { return std::string(to_string(i.provider)); }

std::string channel_context(const Integration& i, const char* what) {
    return provider_name(i) + ": " + what + " for integration " + std::to_string(i.id);
}

bool gone(const HttpResponse& r) { return r.status == 404 || r.status == 410; }

std::optional<Calendar> calendar_of(const std::vector<Calendar>& calendars, const WebhookChannel& ch) {
    for (const auto& c : calendars)
        if (ch.calendar_id && c.id == *ch.calendar_id) return c;
    return std::nullopt;
}

}  // namespace

std::string new_channel_secret(const std::string& org) { return org + ":" + random_hex(16); }

ChannelManager::ChannelManager(const Config& config, Database& db, ProviderApi& api, const Clock& clock)
    : config_(config), db_(db), api_(api), clock_(clock), store_(db) {}

WebhookChannel ChannelManager::create(const Integration& integration, const Calendar& calendar) {
    if (config_.public_url.empty())
        throw ConfigError("public-url is not set: push channels need the address where calsync-webhook is reachable");
    std::string base = config_.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const int64_t now = clock_.now();
    const std::string secret = new_channel_secret(integration.org_id);

    WebhookChannel ch;
    ch.integration_id = integration.id;
    ch.calendar_id = calendar.id;
    ch.provider = provider_name(integration);
    ch.secret_digest = sha256_hex(secret);
    ch.created_at = now;
    if (integration.provider == Provider::google) {
        const int64_t ttl = config_.google.channel_ttl;
        ch.channel_id = random_uuid();
        json body = {{"id", ch.channel_id},
                     {"type", "web_hook"},
                     {"address", base + "/google"},
                     {"token", secret},
                     {"expiration", (now + ttl) * 1000},
                     {"params", {{"ttl", std::to_string(ttl)}}}};
        HttpResponse r = api_.send(integration, "POST",
                                   config_.google.api_url + "/calendars/" + url_encode(calendar.provider_calendar_id) +
                                       "/events/watch",
                                   body.dump());
        if (!r.ok())
            throw ProviderError(describe_api_error(channel_context(integration, "events.watch"), r), r.status,
                                api_error_code(r));
        json j = json::parse(r.body, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("resourceId") || !j["resourceId"].is_string())
            throw ProviderError(channel_context(integration, "events.watch") + ": the reply has no resourceId", r.status);
        ch.resource_id = j["resourceId"].get<std::string>();
        ch.resource = j.value("resourceUri", "");
        auto ms = expiration_ms(j);
        ch.expires_at = ms ? *ms / 1000 : now + ttl;  // the granted expiration is the one that counts
    } else {
        const int64_t ttl = config_.microsoft.subscription_ttl;
        ch.resource = calendar.is_primary ? "me/events"
                                          : "me/calendars/" + calendar.provider_calendar_id + "/events";
        json body = {{"changeType", "created,updated,deleted"},
                     {"notificationUrl", base + "/microsoft"},
                     {"lifecycleNotificationUrl", base + "/microsoft/lifecycle"},
                     {"resource", ch.resource},
                     {"expirationDateTime", format_rfc3339(now + ttl)},
                     {"clientState", secret},
                     {"latestSupportedTlsVersion", "v1_2"}};
        HttpResponse r = api_.send(integration, "POST", config_.microsoft.graph_url + "/subscriptions", body.dump());
        if (!r.ok())
            throw ProviderError(describe_api_error(channel_context(integration, "creating a subscription"), r),
                                r.status, api_error_code(r));
        json j = json::parse(r.body, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string())
            throw ProviderError(channel_context(integration, "creating a subscription") + ": the reply has no id",
                                r.status);
        ch.channel_id = j["id"].get<std::string>();
        auto granted = parse_rfc3339(j.value("expirationDateTime", ""));
        ch.expires_at = granted ? *granted : now + ttl;
    }
    ch.id = store_.add_channel(ch);
    spdlog::info("integration {}: {} channel {} for calendar {} expires {}", integration.id, ch.provider,
                 ch.channel_id, calendar.provider_calendar_id, format_rfc3339(ch.expires_at));
    return ch;
}

void ChannelManager::stop(const Integration& integration, const WebhookChannel& ch) {
    HttpResponse r;
    if (ch.provider == "google") {
        json body = {{"id", ch.channel_id}, {"resourceId", ch.resource_id}};
        r = api_.send(integration, "POST", config_.google.api_url + "/channels/stop", body.dump());
    } else {
        r = api_.send(integration, "DELETE", config_.microsoft.graph_url + "/subscriptions/" + url_encode(ch.channel_id));
    }
    if (!r.ok() && !gone(r)) {
        std::string why = describe_api_error(channel_context(integration, "stopping a channel"), r);
        store_.set_status(ch.id, "retiring");
        store_.set_error(ch.id, why);
        throw ProviderError(why, r.status, api_error_code(r));
    }
    store_.remove_channel(ch.id);
    spdlog::info("integration {}: stopped {} channel {}", integration.id, ch.provider, ch.channel_id);
}

std::optional<int64_t> ChannelManager::patch_expiry(const Integration& integration, const WebhookChannel& ch) {
    const int64_t now = clock_.now();
    json body = {{"expirationDateTime", format_rfc3339(now + config_.microsoft.subscription_ttl)}};
    HttpResponse r = api_.send(integration, "PATCH",
                               config_.microsoft.graph_url + "/subscriptions/" + url_encode(ch.channel_id), body.dump());
    if (gone(r)) return std::nullopt;
    if (!r.ok())
        throw ProviderError(describe_api_error(channel_context(integration, "renewing a subscription"), r), r.status,
                            api_error_code(r));
    json j = json::parse(r.body, nullptr, false);
    auto granted = j.is_object() ? parse_rfc3339(j.value("expirationDateTime", "")) : std::nullopt;
    int64_t expires = granted ? *granted : now + config_.microsoft.subscription_ttl;
    store_.set_expiry(ch.id, expires, now);
    return expires;
}

ChannelReport ChannelManager::replace(const Integration& integration, const Calendar& calendar,
                                      const std::vector<WebhookChannel>& old, const std::string& action) {
    ChannelReport rep{integration.id, calendar.provider_calendar_id, action};
    WebhookChannel fresh = create(integration, calendar);
    rep.channel_id = fresh.channel_id;
    rep.expires_at = fresh.expires_at;
    // The new channel delivers already; now the old ones may go.
    for (const auto& ch : old) {
        try {
            stop(integration, ch);
        } catch (const ReauthRequired&) {
            throw;
        } catch (const std::exception& e) {
            spdlog::warn("integration {}: old channel {} not stopped yet (renew retries): {}", integration.id,
                         ch.channel_id, e.what());
        }
    }
    return rep;
}

std::vector<ChannelReport> ChannelManager::register_all(const Integration& integration) {
    std::vector<ChannelReport> out;
    auto calendars = CalendarStore(db_).list(integration.id);
    auto channels = store_.channels(integration.id);
    for (const auto& cal : calendars) {
        if (!cal.selected) continue;
        std::vector<WebhookChannel> old;
        for (const auto& ch : channels)
            if (ch.calendar_id && *ch.calendar_id == cal.id) old.push_back(ch);
        try {
            out.push_back(replace(integration, cal, old, old.empty() ? "created" : "replaced"));
        } catch (const ReauthRequired&) {
            throw;
        } catch (const ConfigError&) {
            throw;
        } catch (const std::exception& e) {
            out.emplace_back(integration.id, cal.provider_calendar_id, old.empty() ? "created" : "replaced", e.what());
            spdlog::error("integration {}: {}", integration.id, e.what());
        }
    }
    // Channels of calendars no longer synced.
    for (const auto& ch : channels) {
        auto cal = calendar_of(calendars, ch);
        if (cal && cal->selected) continue;
        out.push_back(stop_reported(integration, ch, cal ? cal->provider_calendar_id : "", false));
    }
    return out;
}

ChannelReport ChannelManager::stop_reported(const Integration& integration, const WebhookChannel& ch,
                                            const std::string& calendar, bool dry_run) {
    ChannelReport rep{integration.id, calendar, "stopped"};
    rep.channel_id = ch.channel_id;
    if (dry_run) return rep;
    try {
        stop(integration, ch);
    } catch (const ReauthRequired&) {
        throw;
    } catch (const std::exception& e) {
        rep.ok = false;
        rep.error = e.what();
    }
    return rep;
}

std::vector<ChannelReport> ChannelManager::renew(const Integration& integration, int64_t within, bool dry_run) {
    std::vector<ChannelReport> out;
    const int64_t now = clock_.now();
    auto calendars = CalendarStore(db_).list(integration.id);
    auto channels = store_.channels(integration.id);
    for (const auto& cal : calendars) {
        if (!cal.selected) continue;
        std::optional<WebhookChannel> current;
        std::vector<WebhookChannel> old;
        for (const auto& ch : channels) {
            if (!ch.calendar_id || *ch.calendar_id != cal.id || ch.status != "active") continue;
            if (current && current->expires_at >= ch.expires_at) {
                old.push_back(ch);
            } else {
                if (current) old.push_back(*current);
                current = ch;
            }
        }
        ChannelReport rep{integration.id, cal.provider_calendar_id, "kept"};
        if (current) {
            rep.channel_id = current->channel_id;
            rep.expires_at = current->expires_at;
        }
        if (!current)
            rep.action = "created";
        else if (current->expires_at > now + within)
            rep.action = "kept";
        else
            rep.action = integration.provider == Provider::google ? "replaced" : "renewed";
        if (dry_run || rep.action == "kept") {
            out.push_back(rep);
            continue;
        }
        try {
            if (rep.action == "renewed") {
                if (auto expires = patch_expiry(integration, *current)) {
                    rep.expires_at = *expires;
                } else {
                    // Graph no longer knows it (expired or removed): a new one.
                    store_.remove_channel(current->id);
                    rep = replace(integration, cal, {}, "recreated");
                }
            } else {
                if (current) old.push_back(*current);
                rep = replace(integration, cal, old, rep.action);
            }
        } catch (const ReauthRequired&) {
            throw;
        } catch (const ConfigError&) {
            throw;
        } catch (const std::exception& e) {
            rep.ok = false;
            rep.error = e.what();
            if (current) store_.set_error(current->id, rep.error);
            spdlog::error("integration {}: {}", integration.id, e.what());
        }
        out.push_back(rep);
    }
    // Retiring channels (a stop that failed before) and channels of calendars
    // no longer synced: stop them.
    for (const auto& ch : store_.channels(integration.id)) {
        auto cal = calendar_of(calendars, ch);
        if (ch.status != "retiring" && cal && cal->selected) continue;
        out.push_back(stop_reported(integration, ch, cal ? cal->provider_calendar_id : "", dry_run));
    }
    return out;
}

std::vector<ChannelReport> ChannelManager::stop_all(const Integration& integration) {
    std::vector<ChannelReport> out;
    for (const auto& ch : store_.channels(integration.id)) {
        try {
            stop(integration, ch);
            ChannelReport rep{integration.id, "", "stopped"};
            rep.channel_id = ch.channel_id;
            out.push_back(rep);
        } catch (const ReauthRequired&) {
            throw;
        } catch (const TemporaryError&) {
            throw;  // the provider is unreachable: the caller changes nothing
        } catch (const std::exception& e) {
            ChannelReport rep{integration.id, "", "stopped", e.what()};
            rep.channel_id = ch.channel_id;
            out.push_back(rep);
        }
    }
    return out;
}

ChannelReport ChannelManager::extend(const Integration& integration, const WebhookChannel& channel) {
    if (channel.provider != "microsoft") throw InputError("only Graph subscriptions can be extended");
    ChannelReport rep{integration.id, "", "renewed"};
    rep.channel_id = channel.channel_id;
    if (auto expires = patch_expiry(integration, channel)) {
        rep.expires_at = *expires;
        return rep;
    }
    return recreate(integration, channel);
}

ChannelReport ChannelManager::recreate(const Integration& integration, const WebhookChannel& channel) {
    auto cal = calendar_of(CalendarStore(db_).list(integration.id), channel);
    if (!cal || !cal->selected) {
        stop(integration, channel);
        ChannelReport rep(integration.id, cal ? cal->provider_calendar_id : "", "stopped");
        rep.channel_id = channel.channel_id;
        return rep;
    }
    return replace(integration, *cal, {channel}, "recreated");
}

}  // namespace calsync
