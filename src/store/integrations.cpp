#include "store/integrations.hpp"


#include "errors.hpp"
#include "util/encoding.hpp"

namespace calsync {
namespace {

constexpr const char* kColumns =
    "id, org_id, provider, account_id, account_email, status, granted_scopes, access_token_expires_at, "
    "token_version, last_error, created_at, updated_at";

Integration read_row(SQLite::Statement& q) {
    Integration i;
    i.id = q.getColumn(0).getInt64();
    i.org_id = q.getColumn(1).getString();
    i.provider = parse_provider(q.getColumn(2).getString()).value_or(Provider::google);
    i.account_id = q.getColumn(3).getString();
    i.account_email = q.getColumn(4).getString();
    i.status = q.getColumn(5).getString();
    i.granted_scopes = q.getColumn(6).getString();
    if (!q.getColumn(7).isNull()) i.access_token_expires_at = q.getColumn(7).getInt64();
    i.token_version = q.getColumn(8).getInt64();
    if (!q.getColumn(9).isNull()) i.last_error = q.getColumn(9).getString();
    i.created_at = q.getColumn(10).getInt64();
    i.updated_at = q.getColumn(11).getInt64();
    return i;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
    std::string out;
    for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
    return out;
}

void bind_blob(SQLite::Statement& q, int index, const std::string& bytes) {
    q.bind(index, bytes.data(), int(bytes.size()));
}

std::string column_blob(const SQLite::Column& c) {
    return std::string(static_cast<const char*>(c.getBlob()), size_t(c.getBytes()));
}

}  // namespace

bool valid_org_id(const std::string& org) {
    return is_identifier(org, 64, "._-");
}

std::string IntegrationStore::token_aad(int64_t id, const char* column) {
    return "calsync/v1 integrations." + std::string(column) + " id=" + std::to_string(id);
}

std::vector<Integration> IntegrationStore::list() {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kColumns + " FROM integrations ORDER BY id");
    std::vector<Integration> out;
    while (q.executeStep()) out.push_back(read_row(q));
    return out;
}

std::optional<Integration> IntegrationStore::get(int64_t id) {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kColumns + " FROM integrations WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return read_row(q);
}

Integration IntegrationStore::require(int64_t id) {
    auto i = get(id);
    if (!i) throw UsageError("no integration with id " + std::to_string(id));
    return *i;
}

std::vector<Integration> IntegrationStore::targets(const std::vector<int64_t>& ids) {
    std::vector<Integration> out;
    if (ids.empty()) {
        for (auto& i : list())
            if (i.status == "connected") out.push_back(i);
        return out;
    }
    for (int64_t id : ids) {
        Integration i = require(id);
        if (i.status == "disconnected") throw UsageError("integration " + std::to_string(id) + " is disconnected");
        out.push_back(i);
    }
    return out;
}

std::optional<Integration> IntegrationStore::find(const std::string& org, Provider provider,
                                                  const std::string& account_id) {
    SQLite::Statement q(db_.sql(), std::string("SELECT ") + kColumns +
                                       " FROM integrations WHERE org_id = ? AND provider = ? AND account_id = ?");
    q.bind(1, org);
    q.bind(2, std::string(to_string(provider)));
    q.bind(3, account_id);
    if (!q.executeStep()) return std::nullopt;
    return read_row(q);
}

SaveResult IntegrationStore::save_authorized(const Key& key, const std::string& org, Provider provider,
                                             const AccountInfo& account, const TokenResponse& tokens, int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement org_q(db_.sql(), "INSERT INTO organizations (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING");
    org_q.bind(1, org);
    org_q.bind(2, now);
    org_q.exec();

    SQLite::Statement find(db_.sql(), "SELECT id FROM integrations WHERE org_id = ? AND provider = ? AND account_id = ?");
    find.bind(1, org);
    find.bind(2, std::string(to_string(provider)));
    find.bind(3, account.id);
    bool created = !find.executeStep();
    int64_t id;
    if (created) {
        SQLite::Statement ins(db_.sql(),
                              "INSERT INTO integrations (org_id, provider, account_id, account_email, status, "
                              "created_at, updated_at) VALUES (?, ?, ?, ?, 'connected', ?, ?)");
        ins.bind(1, org);
        ins.bind(2, std::string(to_string(provider)));
        ins.bind(3, account.id);
        ins.bind(4, account.email);
        ins.bind(5, now);
        ins.bind(6, now);
        ins.exec();
        id = db_.sql().getLastInsertRowid();
    } else {
        id = find.getColumn(0).getInt64();
    }

    SQLite::Statement upd(db_.sql(),
                          "UPDATE integrations SET account_email = ?, status = 'connected', granted_scopes = ?, "
                          "access_token = ?, access_token_expires_at = ?, refresh_token = COALESCE(?, refresh_token), "
                          "token_version = token_version + 1, last_error = NULL, updated_at = ? WHERE id = ?");
    upd.bind(1, account.email);
    upd.bind(2, join_scopes(tokens.granted_scopes));
    bind_blob(upd, 3, key.seal(tokens.access_token.reveal(), token_aad(id, "access_token")));
    upd.bind(4, now + tokens.expires_in);
    if (tokens.refresh_token)
        bind_blob(upd, 5, key.seal(tokens.refresh_token->reveal(), token_aad(id, "refresh_token")));
    else
        upd.bind(5);  // keep a refresh token from an earlier consent
    upd.bind(6, now);
    upd.bind(7, id);
    upd.exec();
    tx.commit();
    return {id, created};
}

StoredTokens IntegrationStore::tokens(const Key& key, int64_t id) {
    SQLite::Statement q(db_.sql(),
                        "SELECT access_token, access_token_expires_at, refresh_token, token_version FROM integrations "
                        "WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) throw UsageError("no integration with id " + std::to_string(id));
    StoredTokens t;
    if (!q.getColumn(0).isNull())
        t.access_token = Secret(key.open(column_blob(q.getColumn(0)), token_aad(id, "access_token")));
    t.expires_at = q.getColumn(1).isNull() ? 0 : q.getColumn(1).getInt64();
    if (!q.getColumn(2).isNull())
        t.refresh_token = Secret(key.open(column_blob(q.getColumn(2)), token_aad(id, "refresh_token")));
    t.version = q.getColumn(3).getInt64();
    return t;
}

bool IntegrationStore::save_refreshed(const Key& key, int64_t id, int64_t expected_version,
                                      const TokenResponse& tokens, int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement upd(db_.sql(),
                          "UPDATE integrations SET access_token = ?, access_token_expires_at = ?, "
                          "refresh_token = COALESCE(?, refresh_token), token_version = token_version + 1, "
                          "last_error = NULL, updated_at = ? WHERE id = ? AND token_version = ? AND status = 'connected'");
    bind_blob(upd, 1, key.seal(tokens.access_token.reveal(), token_aad(id, "access_token")));
    upd.bind(2, now + tokens.expires_in);
    if (tokens.refresh_token)
        bind_blob(upd, 3, key.seal(tokens.refresh_token->reveal(), token_aad(id, "refresh_token")));
    else
        upd.bind(3);
    upd.bind(4, now);
    upd.bind(5, id);
    upd.bind(6, expected_version);
    bool saved = upd.exec() == 1;
    tx.commit();
    return saved;
}

void IntegrationStore::mark_needs_reauth(int64_t id, const std::string& reason, int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement upd(db_.sql(),
                          "UPDATE integrations SET status = 'needs_reauth', last_error = ?, updated_at = ? "
                          "WHERE id = ? AND status = 'connected'");
    upd.bind(1, reason);
    upd.bind(2, now);
    upd.bind(3, id);
    upd.exec();
    tx.commit();
}

void IntegrationStore::mark_disconnected(int64_t id, int64_t now) {
    auto tx = db_.write_transaction();
    SQLite::Statement upd(db_.sql(),
                          "UPDATE integrations SET status = 'disconnected', access_token = NULL, refresh_token = NULL, "
                          "access_token_expires_at = NULL, token_version = token_version + 1, updated_at = ? WHERE id = ?");
    upd.bind(1, now);
    upd.bind(2, id);
    upd.exec();
    tx.commit();
}

}  // namespace calsync
