#include "commands/views.hpp"

#include <fmt/format.h>

#include "util/time.hpp"

namespace calsync {
namespace {

nlohmann::json time_or_null(const SQLite::Column& c) {
    return c.isNull() ? nlohmann::json(nullptr) : nlohmann::json(format_rfc3339(c.getInt64()));
}

nlohmann::json calendars_json(Database& db, int64_t integration_id) {
    SQLite::Statement q(db.sql(),
                        "SELECT provider_calendar_id, name, is_primary, last_sync_at, selected, last_error, "
                        "(SELECT max(expires_at) FROM webhook_channels w WHERE w.calendar_id = calendars.id "
                        "AND w.status = 'active') FROM calendars WHERE integration_id = ? "
                        "ORDER BY is_primary DESC, name");
    q.bind(1, integration_id);
    nlohmann::json out = nlohmann::json::array();
    while (q.executeStep()) {
        out.push_back({{"id", q.getColumn(0).getString()},
                       {"name", q.getColumn(1).getString()},
                       {"primary", q.getColumn(2).getInt() != 0},
                       {"last_sync_at", time_or_null(q.getColumn(3))},
                       {"webhook_expires_at", time_or_null(q.getColumn(6))},
                       {"selected", q.getColumn(4).getInt() != 0},
                       {"last_error", q.getColumn(5).isNull() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(q.getColumn(5).getString())}});
    }
    return out;
}

}  // namespace

nlohmann::json integration_json(Database& db, const Integration& i) {
    auto opt_time = [](const std::optional<int64_t>& t) {
        return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
    };
    return {{"id", i.id},
            {"org", i.org_id},
            {"provider", std::string(to_string(i.provider))},
            {"account_email", i.account_email},
            {"status", i.status},
            {"calendars", calendars_json(db, i.id)},
            {"granted_scopes", i.granted_scopes},
            {"access_token_expires_at", opt_time(i.access_token_expires_at)},
            {"last_error", i.last_error ? nlohmann::json(*i.last_error) : nlohmann::json(nullptr)},
            {"created_at", format_rfc3339(i.created_at)},
            {"updated_at", format_rfc3339(i.updated_at)}};
}

void print_integration_table(std::ostream& out, const std::vector<Integration>& list) {
    if (list.empty()) {
        out << "no integrations (connect one with `calsync authorize google|microsoft --org ORG`)\n";
        return;
    }
    out << fmt::format("{:>4}  {:<16} {:<10} {:<32} {:<13} {}\n", "ID", "ORG", "PROVIDER", "ACCOUNT", "STATUS", "UPDATED");
    for (const auto& i : list)
        out << fmt::format("{:>4}  {:<16} {:<10} {:<32} {:<13} {}\n", i.id, i.org_id, to_string(i.provider),
                           i.account_email, i.status, format_rfc3339(i.updated_at));
}

void print_integration_detail(std::ostream& out, const nlohmann::json& j) {
    auto text = [](const nlohmann::json& v) { return v.is_null() ? std::string("-") : v.is_string() ? v.get<std::string>() : v.dump(); };
    out << fmt::format("integration {}\n", j["id"].get<int64_t>());
    for (const char* k : {"org", "provider", "account_email", "status", "granted_scopes", "access_token_expires_at",
                          "last_error", "created_at", "updated_at"})
        out << fmt::format("  {:<24} {}\n", k, text(j[k]));
    out << fmt::format("  {:<24} {}\n", "calendars", j["calendars"].size());
    for (const auto& c : j["calendars"])
        out << fmt::format("    {}{} ({}), last sync {}, push channel until {}\n", text(c["name"]),
                           c["primary"].get<bool>() ? " [primary]" : "", text(c["id"]), text(c["last_sync_at"]),
                           text(c["webhook_expires_at"]));
}

}  // namespace calsync
