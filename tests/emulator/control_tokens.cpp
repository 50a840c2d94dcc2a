// Control routes over issued tokens: expire access tokens, revoke a user's
// grants (a password change, an admin revocation) and count what exists.
#include "control.hpp"
#include "http.hpp"

namespace emu {
namespace {

// The users a request is about: one (by email) or every user of the provider.
std::vector<const User*> select_users(State& state, Provider provider, const std::string& email) {
    std::vector<const User*> out;
    if (!email.empty()) {
        const User* user = state.find_user(provider, email);
        if (!user) throw ControlError(404, "no " + std::string(provider_name(provider)) + " user " + email);
        out.push_back(user);
        return out;
    }
    for (const auto& [id, user] : state.users) {
        if (user.provider == provider) out.push_back(&user);
    }
    return out;
}

bool selected(const std::vector<const User*>& users, const std::string& user_id) {
    for (const User* user : users) {
        if (user->id == user_id) return true;
    }
    return false;
}

Json expire(State& state, const Json& body) {
    Provider provider = need_provider(body.value("provider", ""));
    auto users = select_users(state, provider, body.value("email", ""));
    Millis now = now_ms();
    int count = 0;
    for (auto& [value, token] : state.access_tokens) {
        const Grant& grant = state.grants.at(token.grant_id);
        if (grant.provider != provider || token.expires_ms <= now || !selected(users, grant.user_id)) continue;
        token.expires_ms = now - 1;
        ++count;
    }
    return {{"expired", count}};
}

Json revoke(State& state, const Json& body) {
    Provider provider = need_provider(body.value("provider", ""));
    auto users = select_users(state, provider, need_string(body, "email"));
    int count = 0;
    for (auto& [id, grant] : state.grants) {
        if (grant.provider != provider || grant.revoked || !selected(users, grant.user_id)) continue;
        state.revoke_grant(id);
        ++count;
    }
    return {{"revoked_grants", count}};
}

Json counts(State& state, const httplib::Request& req) {
    Provider provider = need_provider(param(req, "provider"));
    auto users = select_users(state, provider, param(req, "email"));
    Millis now = now_ms();
    int grants = 0, live_grants = 0, access_total = 0, access_live = 0, refresh_total = 0, refresh_live = 0;
    for (const auto& [id, grant] : state.grants) {
        if (grant.provider != provider || !selected(users, grant.user_id)) continue;
        ++grants;
        if (!grant.revoked) ++live_grants;
    }
    for (const auto& [value, token] : state.access_tokens) {
        const Grant& grant = state.grants.at(token.grant_id);
        if (grant.provider != provider || !selected(users, grant.user_id)) continue;
        ++access_total;
        if (!grant.revoked && token.expires_ms > now) ++access_live;
    }
    for (const auto& [value, token] : state.refresh_tokens) {
        const Grant& grant = state.grants.at(token.grant_id);
        if (grant.provider != provider || !selected(users, grant.user_id)) continue;
        ++refresh_total;
        bool usable = !grant.revoked && !token.evicted && !(token.redeemed && state.config.strict_rotation);
        if (usable) ++refresh_live;
    }
    int refreshes = 0, exchanges = 0;
    for (const User* user : users) {
        refreshes += user->refreshes;
        exchanges += user->code_exchanges;
    }
    return {{"users", users.size()},
            {"grants", grants},
            {"revoked", grants > 0 && live_grants == 0},
            {"access_tokens_total", access_total},
            {"access_tokens_live", access_live},
            {"refresh_tokens_total", refresh_total},
            {"refresh_tokens_live", refresh_live},
            {"refresh_count", refreshes},
            {"code_exchanges", exchanges}};
}

}  // namespace

void register_control_tokens(httplib::Server& server, State& state) {
    control_route(server, state, "POST", "/tokens/expire",
                  [&state](const Json& body, const auto&) { return expire(state, body); });
    control_route(server, state, "POST", "/tokens/revoke",
                  [&state](const Json& body, const auto&) { return revoke(state, body); });
    control_route(server, state, "GET", "/tokens",
                  [&state](const Json&, const auto& req) { return counts(state, req); });
}

}  // namespace emu
