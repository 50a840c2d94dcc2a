// calsync authorize google|microsoft --org ORG (SPEC 4.1): connect an account.
// Default: PKCE + state with a loopback redirect; --device: Microsoft's device
// code flow. Both end in connect_account().
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <thread>

#include "commands/commands.hpp"
#include "commands/channel_output.hpp"
#include "commands/sync_setup.hpp"
#include "oauth/connect.hpp"
#include "oauth/loopback.hpp"
#include "oauth/pkce.hpp"
#include "store/integrations.hpp"
#include "store/pending.hpp"

namespace calsync {
namespace {

struct AuthorizeOptions {
    std::string provider;
    std::string org;
    std::string listen = "127.0.0.1:0";
    bool device = false;
    std::string timeout = "10m";
    std::vector<std::string> calendars;
    bool no_sync = false;
    bool no_webhook = false;
};

// Instructions for the person go to stdout, unless stdout carries JSON.
std::ostream& say(Context& ctx) { return ctx.json() ? std::cerr : ctx.out(); }

std::string redirect_uri_for(Provider provider, const LoopbackListener& listener) {
    // Microsoft matches loopback redirects on "localhost" (the port is ignored);
    // Google's desktop clients use the literal loopback address.
    std::string host = listener.host();
    if (host == "::1") host = "[::1]";
    if (provider == Provider::microsoft && host == "127.0.0.1") host = "localhost";
    return "http://" + host + ":" + std::to_string(listener.port()) + "/callback";
}

ConnectResult loopback_flow(const AuthorizeOptions& o, Context& ctx, OAuthClient& client, Seconds timeout) {
    LoopbackListener listener(o.listen);
    std::string redirect_uri = redirect_uri_for(client.provider(), listener);
    Pkce pkce = make_pkce();
    Secret state = make_state();
    PendingStore pending(ctx.db());
    pending.create(ctx.key(), state, {o.org, client.provider(), redirect_uri, pkce.verifier}, ctx.clock().now(),
                   std::min<int64_t>(PendingStore::kDefaultTtl, timeout.count()));

    say(ctx) << "Open this URL in a browser to connect a " << to_string(client.provider()) << " account to org "
             << o.org << ":\n\n  " << client.authorization_url(redirect_uri, state, pkce.challenge) << "\n\n"
             << "Waiting for the redirect to " << redirect_uri << " ..." << std::endl;

    std::optional<ConnectResult> result;
    std::string failure;
    bool done = listener.serve(
        [&](const Params& params) -> CallbackReply {
            auto state_param = find_param(params, "state");
            if (!state_param) return {400, callback_page("Sign-in failed", "The redirect carries no state."), false};
            PendingAuthorization p;
            try {
                p = pending.consume(ctx.key(), *state_param, client.provider(), ctx.clock().now());
            } catch (const InputError& e) {
                // Not our sign-in (forged, replayed or stale): refuse it and keep waiting.
                spdlog::warn("refused a redirect: {}", e.what());
                return {400, callback_page("Sign-in refused", e.what()), false};
            }
            if (auto error = find_param(params, "error")) {
                failure = std::string(to_string(client.provider())) + " refused the authorization: " + *error;
                return {400, callback_page("Sign-in failed", failure), true};
            }
            auto code = find_param(params, "code");
            if (!code) {
                failure = "the redirect carries no authorization code";
                return {400, callback_page("Sign-in failed", failure), true};
            }
            try {
                TokenResponse tokens = client.exchange_code(Secret(*code), p.code_verifier, p.redirect_uri);
                result = connect_account(client, ctx.db(), ctx.key(), ctx.clock(), p.org_id, tokens);
                return {200, callback_page("Connected", "calsync is connected to " + result->account.email +
                                                            ". You can close this window."), true};
            } catch (const std::exception& e) {
                failure = e.what();
                return {500, callback_page("Sign-in failed", failure), true};
            }
        },
        timeout);
    if (!done) throw TemporaryError("no redirect arrived within " + format_duration(timeout) + "; nothing was stored");
    if (!result) throw InputError(failure);
    return *result;
}

ConnectResult device_flow(const AuthorizeOptions& o, Context& ctx, OAuthClient& client) {
    DeviceAuthorization d = client.start_device_flow();
    say(ctx) << d.message << std::endl;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(d.expires_in);
    int64_t interval = std::max<int64_t>(d.interval, 1);
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::seconds(interval));
        DevicePoll poll = client.poll_device(d.device_code);
        if (poll.tokens) return connect_account(client, ctx.db(), ctx.key(), ctx.clock(), o.org, *poll.tokens);
        if (poll.error == "slow_down") {
            interval += 5;  // RFC 8628 §3.5: for this and all later requests
            spdlog::debug("device flow: slow_down, polling every {} s", interval);
        }
    }
    throw InputError("microsoft: the device code expired before sign-in completed");
}

int run_authorize(const AuthorizeOptions& o, Context& ctx) {
    auto provider = parse_provider(o.provider);
    if (!provider) throw UsageError("provider must be google or microsoft");
    if (!valid_org_id(o.org)) throw UsageError("--org must match [A-Za-z0-9._-]{1,64}");
    auto timeout = parse_duration(o.timeout);
    if (!timeout || timeout->count() <= 0) throw UsageError("--timeout: expected a duration like 10m");
    if (o.device && *provider == Provider::google)
        throw UsageError("google does not allow Calendar scopes in the device flow; use the browser flow");

    ctx.key();  // fail on a bad key before anyone signs in
    OAuthClient client(*provider, ctx.config(), ctx.http());
    ConnectResult r = o.device ? device_flow(o, ctx, client) : loopback_flow(o, ctx, client, *timeout);
    if (!ctx.json())
        ctx.out() << "Connected " << o.provider << " account " << r.account.email << " as integration "
                  << r.integration_id << std::endl;

    // The plan's next steps: know the calendars, then the initial full sync.
    int exit_code = kExitOk;
    nlohmann::json sync_json = nullptr;
    SyncServices services(ctx.config(), ctx.key(), ctx.clock());
    Integration integration = IntegrationStore(ctx.db()).require(r.integration_id);
    discover_calendars(services.worker(), integration, o.calendars);
    for (const auto& cal : o.calendars) CalendarStore(ctx.db()).set_selected(integration.id, cal, true, ctx.clock().now());
    // Push channels before the initial sync, so a change made while it runs
    // is notified rather than missed.
    nlohmann::json webhook_json = nullptr;
    if (!o.no_webhook && !ctx.config().public_url.empty()) {
        webhook_json = nlohmann::json::array();
        try {
            ChannelManager channels(ctx.config(), services.worker().db, services.worker().api, ctx.clock());
            for (const auto& rep : channels.register_all(integration)) {
                webhook_json.push_back(channel_report_json(rep));
                if (!ctx.json()) print_channel_report(ctx.out(), rep);
                if (!rep.ok) exit_code = kExitPartial;
            }
        } catch (const ReauthRequired& e) {
            spdlog::error("{}", e.what());
            exit_code = kExitReauth;
        } catch (const std::exception& e) {
            spdlog::error("connected, but the push channel was not registered ({}); `calsync register-webhook {}` "
                          "retries it", e.what(), integration.id);
            exit_code = kExitPartial;
        }
    } else if (!o.no_webhook) {
        spdlog::info("public-url is not set: no push channel; changes arrive with `calsync poll`");
    }
    if (!o.no_sync) {
        IntegrationSyncResult s = sync_integration(services.worker(), integration, false);
        sync_json = {{"status", s.status}, {"calendars", s.calendars}, {"events", s.events}, {"upserts", s.upserts},
                     {"pages", s.pages}, {"error", s.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error)}};
        if (s.status == "ok") {
            if (!ctx.json())
                ctx.out() << "Synced " << s.upserts << " events from " << s.calendars << " calendar"
                          << (s.calendars == 1 ? "" : "s") << "\n";
        } else {
            spdlog::error("connected, but the initial sync did not complete ({}); `calsync poll {}` retries it",
                          s.status, integration.id);
            exit_code = s.status == "needs_reauth" ? kExitReauth : std::max<int>(exit_code, kExitPartial);
        }
    }

    if (ctx.json()) {
        nlohmann::json j = {{"id", r.integration_id}, {"org", o.org}, {"provider", o.provider},
                            {"account_email", r.account.email}, {"created", r.created}, {"initial_sync", sync_json},
                            {"webhooks", webhook_json}};
        ctx.out() << j.dump() << "\n";
    }
    return exit_code;
}

}  // namespace

Runner setup_authorize(CLI::App& sub) {
    auto o = std::make_shared<AuthorizeOptions>();
    sub.add_option("provider", o->provider, "google or microsoft")->required()->check(CLI::IsMember({"google", "microsoft"}));
    sub.add_option("--org", o->org, "organization the account joins ([A-Za-z0-9._-], at most 64)")->required();
    sub.add_option("--listen", o->listen, "loopback address for the OAuth redirect (default 127.0.0.1:0, a free port)");
    sub.add_flag("--device", o->device, "Microsoft only: sign in with a code on another device");
    sub.add_option("--timeout", o->timeout, "how long to wait for the sign-in (default 10m)");
    sub.add_flag("--no-webhook", o->no_webhook, "do not register push channels (poll only)");
    sub.add_option("--calendar", o->calendars, "sync this calendar instead of the primary one (repeatable)");
    sub.add_flag("--no-sync", o->no_sync, "connect only; skip the initial full sync");
    return [o](Context& ctx) { return run_authorize(*o, ctx); };
}

}  // namespace calsync
