#include "state.hpp"

#include "calendar_model.hpp"
#include "crypto/crypto.hpp"
#include "mint.hpp"
#include "push.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace emu {
namespace {

// Google keeps at most this many live refresh tokens per account and client;
// issuing one more silently invalidates the oldest (PROTOCOL.md §1).
constexpr size_t kGoogleLiveRefreshLimit = 100;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// "alice.smith@example.com" -> "Alice Smith".
std::string name_from_email(const std::string& email) {
    std::string local = email.substr(0, email.find('@'));
    std::string name;
    bool start = true;
    for (char c : local) {
        if (c == '.' || c == '_' || c == '-') {
            name += ' ';
            start = true;
        } else {
            name += start ? char(std::toupper(static_cast<unsigned char>(c))) : c;
            start = false;
        }
    }
    return name;
}

std::string graph_scope_claim(const Scopes& scopes) {
    static const std::string kPrefix = "https://graph.microsoft.com/";
    Scopes bare;
    for (const auto& s : scopes) {
        if (s.rfind(kPrefix, 0) == 0) bare.push_back(s.substr(kPrefix.size()));
    }
    return join_scopes(bare);
}

}  // namespace

std::string_view provider_name(Provider provider) { return provider == Provider::google ? "google" : "microsoft"; }

std::optional<Provider> parse_provider(std::string_view name) {
    if (name == "google") return Provider::google;
    if (name == "microsoft") return Provider::microsoft;
    return std::nullopt;
}

Millis now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Scopes split_scopes(std::string_view text) {
    Scopes out;
    size_t i = 0;
    while (i < text.size()) {
        size_t end = text.find(' ', i);
        if (end == std::string_view::npos) end = text.size();
        std::string scope(text.substr(i, end - i));
        if (!scope.empty() && !has_scope(out, scope)) out.push_back(std::move(scope));
        i = end + 1;
    }
    return out;
}

std::string join_scopes(const Scopes& scopes) {
    std::string out;
    for (const auto& s : scopes) {
        if (!out.empty()) out += ' ';
        out += s;
    }
    return out;
}

bool has_scope(const Scopes& scopes, std::string_view scope) {
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

State::State(Config config_in, std::vector<Client> clients)
    : config(config_in),
      calendars(std::make_unique<CalendarStore>()),
      push(std::make_unique<Push>(*calendars)),
      initial_config_(config_in),
      clients_(std::move(clients)) {
    remember_client_secrets();
}

State::~State() = default;

void State::reset() {
    config = initial_config_;
    consents.clear();
    users.clear();
    user_ids_.clear();
    codes.clear();
    grants.clear();
    access_tokens.clear();
    refresh_tokens.clear();
    devices.clear();
    user_codes.clear();
    offline_granted.clear();
    faults.clear();
    requests.clear();
    calendars->clear();
    push->reset();
    secret_set_.clear();
    secret_list_.clear();
    remember_client_secrets();
}

void State::remember_client_secrets() {
    for (const auto& client : clients_) {
        if (client.secret) remember_secret(*client.secret);
    }
}

Client* State::find_client(Provider provider, std::string_view id) {
    for (auto& client : clients_) {
        if (client.provider == provider && client.id == id) return &client;
    }
    return nullptr;
}

void State::upsert_client(Client client) {
    if (client.secret) remember_secret(*client.secret);
    if (Client* existing = find_client(client.provider, client.id)) {
        *existing = std::move(client);
    } else {
        clients_.push_back(std::move(client));
    }
}

User& State::ensure_user(Provider provider, const std::string& email, const std::string& name) {
    auto key = std::make_pair(provider, lower(email));
    if (auto it = user_ids_.find(key); it != user_ids_.end()) {
        User& existing = users.at(it->second);
        if (!name.empty()) existing.name = name;
        return existing;
    }
    User user;
    user.id = provider == Provider::google ? mint::google_sub() : calsync::random_uuid();
    user.provider = provider;
    user.email = email;
    user.name = name.empty() ? name_from_email(email) : name;
    user_ids_[key] = user.id;
    return users[user.id] = std::move(user);
}

User* State::find_user(Provider provider, const std::string& email) {
    auto it = user_ids_.find(std::make_pair(provider, lower(email)));
    return it == user_ids_.end() ? nullptr : &users.at(it->second);
}

User* State::user(const std::string& id) {
    auto it = users.find(id);
    return it == users.end() ? nullptr : &it->second;
}

Grant& State::create_grant(Provider provider, const std::string& user_id, const std::string& client_id, Scopes scopes) {
    Grant grant;
    grant.id = calsync::random_hex(12);
    grant.provider = provider;
    grant.user_id = user_id;
    grant.client_id = client_id;
    grant.scopes = std::move(scopes);
    grant.created_ms = now_ms();
    return grants[grant.id] = std::move(grant);
}

std::string State::issue_code(AuthCode code) {
    std::string value = code.provider == Provider::google ? mint::google_auth_code() : mint::microsoft_auth_code();
    code.expires_ms = now_ms() + 10 * 60 * 1000;
    codes[value] = std::move(code);
    remember_secret(value);
    return value;
}

std::string State::issue_access_token(const Grant& grant, const Scopes& scopes) {
    Millis now = now_ms();
    Millis expires = now + Millis(config.access_token_ttl) * 1000;
    std::string token;
    if (grant.provider == Provider::google) {
        token = mint::google_access_token();
    } else {
        const User* owner = user(grant.user_id);
        nlohmann::ordered_json claims = {{"aud", "00000003-0000-0000-c000-000000000000"},
                                         {"iss", "https://sts.windows.net/" + std::string(kMicrosoftTenantId) + "/"},
                                         {"iat", now / 1000},
                                         {"nbf", now / 1000},
                                         {"exp", expires / 1000},
                                         {"appid", grant.client_id},
                                         {"name", owner ? owner->name : ""},
                                         {"oid", grant.user_id},
                                         {"scp", graph_scope_claim(scopes)},
                                         {"tid", kMicrosoftTenantId},
                                         {"upn", owner ? owner->email : ""},
                                         {"uti", calsync::random_hex(11)},
                                         {"ver", "1.0"}};
        token = mint::jwt_like(claims);
    }
    access_tokens[token] = AccessToken{grant.id, scopes, expires};
    remember_secret(token);
    return token;
}

std::string State::issue_refresh_token(const Grant& grant) {
    std::string token =
        grant.provider == Provider::google ? mint::google_refresh_token() : mint::microsoft_refresh_token();
    refresh_tokens[token] = RefreshToken{grant.id, now_ms(), false, false};
    remember_secret(token);
    if (grant.provider != Provider::google) return token;

    std::vector<RefreshToken*> live;
    for (auto& [value, rt] : refresh_tokens) {
        if (rt.evicted) continue;
        const Grant& g = grants.at(rt.grant_id);
        if (!g.revoked && g.user_id == grant.user_id && g.client_id == grant.client_id) live.push_back(&rt);
    }
    if (live.size() > kGoogleLiveRefreshLimit) {
        std::sort(live.begin(), live.end(), [](auto* a, auto* b) { return a->issued_ms < b->issued_ms; });
        for (size_t i = 0; i < live.size() - kGoogleLiveRefreshLimit; ++i) live[i]->evicted = true;
    }
    return token;
}

const AccessToken* State::live_access_token(const std::string& token, Provider provider) {
    auto it = access_tokens.find(token);
    if (it == access_tokens.end() || it->second.expires_ms <= now_ms()) return nullptr;
    auto grant = grants.find(it->second.grant_id);
    if (grant == grants.end() || grant->second.revoked || grant->second.provider != provider) return nullptr;
    return &it->second;
}

void State::revoke_grant(const std::string& grant_id) {
    auto it = grants.find(grant_id);
    if (it == grants.end()) return;
    it->second.revoked = true;
    // After a revocation Google treats the next consent as the first one again.
    offline_granted.erase(it->second.user_id + "|" + it->second.client_id);
}

std::string State::create_device_code(const std::string& client_id, Scopes scopes) {
    DeviceCode device;
    device.device_code = mint::device_code();
    do {
        device.user_code = mint::user_code();
    } while (user_codes.count(device.user_code));
    device.client_id = client_id;
    device.scopes = std::move(scopes);
    device.expires_ms = now_ms() + Millis(config.device_expires_in) * 1000;
    device.interval_s = config.device_interval;
    user_codes[device.user_code] = device.device_code;
    remember_secret(device.device_code);
    std::string code = device.device_code;
    devices[code] = std::move(device);
    return code;
}

void State::remember_secret(std::string_view value) {
    if (value.empty()) return;
    auto [it, inserted] = secret_set_.emplace(value);
    if (inserted) secret_list_.push_back(*it);
}

}  // namespace emu
