// Microsoft Graph user resources: GET /me (needs User.Read or a broader
// user permission, as at Graph).
#include "auth.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "routes.hpp"

namespace emu {
namespace {

void me(State& state, const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(state, req, res, Api::graph);
    if (!who) return;
    static const Scopes kUserScopes = {
        "https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/User.ReadWrite",
        "https://graph.microsoft.com/User.ReadBasic.All", "https://graph.microsoft.com/User.Read.All",
        "https://graph.microsoft.com/Directory.Read.All"};
    bool allowed = false;
    for (const auto& scope : kUserScopes) allowed = allowed || has_scope(who->scopes, scope);
    if (!allowed)
        return send_graph_error(req, res, 403, "Authorization_RequestDenied",
                                "Insufficient privileges to complete the operation.");
    std::string given = who->name.substr(0, who->name.find(' '));
    std::string surname = who->name.find(' ') == std::string::npos ? "" : who->name.substr(who->name.find(' ') + 1);
    std::string base;
    {
        std::lock_guard lock(state.mu);
        base = state.base_url;
    }
    send_json(res, 200,
              Json{{"@odata.context", base + "/graph/v1.0/$metadata#users/$entity"},
                   {"businessPhones", Json::array()},
                   {"displayName", who->name},
                   {"givenName", given},
                   {"jobTitle", nullptr},
                   {"mail", who->email},
                   {"mobilePhone", nullptr},
                   {"officeLocation", nullptr},
                   {"preferredLanguage", nullptr},
                   {"surname", surname},
                   {"userPrincipalName", who->email},
                   {"id", who->user_id}});
}

}  // namespace

void register_graph_users(httplib::Server& server, State& state) {
    provider_get(server, "/graph/v1.0/me", [&state](const auto& req, auto& res) { me(state, req, res); });
}

}  // namespace emu
