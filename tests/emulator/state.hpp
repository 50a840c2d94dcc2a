// The emulator's whole world: OAuth clients, users, grants and the tokens
// hanging off them, authorization and device codes, calendars, injected
// faults, the request log and push channels. One mutex (`mu`) guards all of
// it; every member function expects the caller to hold it, and nothing here
// does I/O or sleeps (push deliveries run on the outbox's own threads).
#pragma once

#include "faults.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace emu {

enum class Provider { google, microsoft };

// The directory (tenant) every emulated Microsoft account lives in.
inline constexpr std::string_view kMicrosoftTenantId = "4f1c2e8a-7d3b-4c6e-9a15-0e6d5b2c9f31";
std::string_view provider_name(Provider provider);
std::optional<Provider> parse_provider(std::string_view name);

using Millis = std::int64_t;  // Unix time in milliseconds.
Millis now_ms();

using Scopes = std::vector<std::string>;
Scopes split_scopes(std::string_view space_delimited);
std::string join_scopes(const Scopes& scopes);
bool has_scope(const Scopes& scopes, std::string_view scope);

// Runtime-tunable behaviour (POST /_control/config).
struct Config {
    int access_token_ttl = 3599;   // seconds
    int device_interval = 5;       // seconds, RFC 8628 `interval`
    int slow_down_increment = 5;   // seconds added per slow_down (RFC 8628 §3.5)
    int device_expires_in = 900;   // seconds
    bool strict_rotation = false;  // Microsoft: a redeemed refresh token stops working
    int latency_ms = 0;            // added to every non-control request
    // Calendar listings.
    int page_size_cap = 0;          // > 0: pages never hold more items, whatever the client asks for
    int empty_pages = 0;            // >= 2: every n-th page of a round is empty but has a next token
    int graph_expired_status = 410;  // what an invalidated Graph delta token gets: 410, 400 or 404
    std::string graph_expired_code;  // empty: resyncRequired for 410, syncStateNotFound otherwise
};

struct Client {
    Provider provider = Provider::google;
    std::string id;
    std::optional<std::string> secret;       // nullopt: a public client
    std::vector<std::string> redirect_uris;  // registered on top of the loopback rules
};

struct User {
    std::string id;  // Google: numeric `sub`; Microsoft: object id (GUID)
    Provider provider = Provider::google;
    std::string email;
    std::string name;
    int code_exchanges = 0;
    int refreshes = 0;
};

// How the next authorizations of a provider are answered (the "person at the browser").
struct Consent {
    std::string email;
    std::optional<Scopes> granted_scopes;  // nullopt: everything requested
    std::string error;                     // e.g. "access_denied"; empty: consent
};

// One user's authorization of one client. Its tokens die together: revoking
// any of them, or the grant, invalidates all (Google's revoke semantics).
struct Grant {
    std::string id;
    Provider provider = Provider::google;
    std::string user_id, client_id;
    Scopes scopes;
    bool revoked = false;
    Millis created_ms = 0;
};

struct AuthCode {
    Provider provider = Provider::google;
    std::string client_id, redirect_uri, user_id;
    Scopes scopes;
    std::string challenge, challenge_method;  // empty challenge: no PKCE
    bool offline = false;                     // Google access_type=offline
    bool force_consent = false;               // Google prompt=consent
    std::string nonce;
    Millis expires_ms = 0;
    bool used = false;
};

struct AccessToken {
    std::string grant_id;
    Scopes scopes;
    Millis expires_ms = 0;
};

struct RefreshToken {
    std::string grant_id;
    Millis issued_ms = 0;
    bool redeemed = false;  // used for a refresh (matters under strict_rotation)
    bool evicted = false;   // Google: pushed out by the 100-live-tokens limit
};

enum class DeviceStatus { pending, approved, denied, redeemed };

struct DeviceCode {
    std::string device_code, user_code, client_id, user_id;
    Scopes scopes;
    Millis expires_ms = 0;
    int interval_s = 5;
    Millis last_poll_ms = 0;  // 0: never polled
    DeviceStatus status = DeviceStatus::pending;
};

struct RequestRecord {
    std::string method, path;
    int status = 0;
    Millis t_ms = 0;
    std::string grant_type;
};

class CalendarStore;  // calendar_model.hpp
class Push;           // push.hpp

class State {
public:
    State(Config config, std::vector<Client> clients);
    ~State();

    // Forgets everything but the clients; the config returns to its start values.
    void reset();

    Client* find_client(Provider provider, std::string_view id);
    void upsert_client(Client client);

    User& ensure_user(Provider provider, const std::string& email, const std::string& name = "");
    User* find_user(Provider provider, const std::string& email);
    User* user(const std::string& id);

    Grant& create_grant(Provider provider, const std::string& user_id, const std::string& client_id, Scopes scopes);
    std::string issue_code(AuthCode code);
    std::string issue_access_token(const Grant& grant, const Scopes& scopes);
    std::string issue_refresh_token(const Grant& grant);
    // The token if it is known, unexpired, of `provider` and its grant is not revoked.
    const AccessToken* live_access_token(const std::string& token, Provider provider);
    void revoke_grant(const std::string& grant_id);
    std::string create_device_code(const std::string& client_id, Scopes scopes);

    // Records a value tests must never find in calsync's output or database.
    void remember_secret(std::string_view value);
    const std::vector<std::string>& secrets() const { return secret_list_; }

    std::mutex mu;
    Config config;
    std::string base_url;  // http://127.0.0.1:PORT, set once bound

    std::map<Provider, Consent> consents;
    std::unordered_map<std::string, User> users;  // by id
    std::unordered_map<std::string, AuthCode> codes;
    std::unordered_map<std::string, Grant> grants;
    std::unordered_map<std::string, AccessToken> access_tokens;
    std::unordered_map<std::string, RefreshToken> refresh_tokens;
    std::unordered_map<std::string, DeviceCode> devices;      // by device_code
    std::unordered_map<std::string, std::string> user_codes;  // user_code -> device_code
    std::set<std::string> offline_granted;                    // Google "user|client" that already got a refresh token
    FaultTable faults;
    std::vector<RequestRecord> requests;
    std::unique_ptr<CalendarStore> calendars;  // every user's calendars and events
    std::unique_ptr<Push> push;                // Google channels, Graph subscriptions, their outbox and the sink

private:
    void remember_client_secrets();

    Config initial_config_;
    std::vector<Client> clients_;
    std::map<std::pair<Provider, std::string>, std::string> user_ids_;  // (provider, email) -> id
    std::unordered_set<std::string> secret_set_;
    std::vector<std::string> secret_list_;
};

}  // namespace emu
