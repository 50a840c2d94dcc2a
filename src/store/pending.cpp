#include "store/pending.hpp"

#include "errors.hpp"

namespace calsync {
namespace {

std::string aad(const std::string& digest) { return "calsync/v1 pending_authorizations.code_verifier " + digest; }

}  // namespace

void PendingStore::create(const Key& key, const Secret& state, const PendingAuthorization& p, int64_t now, int64_t ttl) {
    std::string digest = sha256_hex(state.reveal());
    std::string sealed = key.seal(p.code_verifier.reveal(), aad(digest));
    auto tx = db_.write_transaction();
    // Old rows are kept a day so a late replay says "expired", then dropped.
    SQLite::Statement purge(db_.sql(), "DELETE FROM pending_authorizations WHERE expires_at < ?");
    purge.bind(1, now - 86400);
    purge.exec();
    SQLite::Statement ins(db_.sql(),
                          "INSERT INTO pending_authorizations (state_digest, org_id, provider, redirect_uri, "
                          "code_verifier, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, digest);
    ins.bind(2, p.org_id);
    ins.bind(3, std::string(to_string(p.provider)));
    ins.bind(4, p.redirect_uri);
    ins.bind(5, sealed.data(), int(sealed.size()));
    ins.bind(6, now);
    ins.bind(7, now + ttl);
    ins.exec();
    tx.commit();
}

PendingAuthorization PendingStore::consume(const Key& key, const std::string& state, Provider provider, int64_t now) {
    std::string digest = sha256_hex(state);
    auto tx = db_.write_transaction();
    SQLite::Statement q(db_.sql(),
                        "SELECT org_id, provider, redirect_uri, code_verifier, expires_at, used_at "
                        "FROM pending_authorizations WHERE state_digest = ?");
    q.bind(1, digest);
    if (!q.executeStep()) throw InputError("unknown authorization state: this sign-in was not started by calsync");
    if (!q.getColumn(5).isNull()) throw InputError("authorization state already used: start the sign-in again");
    if (q.getColumn(4).getInt64() <= now) throw InputError("authorization state expired: start the sign-in again");
    if (q.getColumn(1).getString() != to_string(provider))
        throw InputError("authorization state was issued for another provider");
    PendingAuthorization p;
    p.org_id = q.getColumn(0).getString();
    p.provider = provider;
    p.redirect_uri = q.getColumn(2).getString();
    const auto& blob = q.getColumn(3);
    p.code_verifier = Secret(key.open(std::string(static_cast<const char*>(blob.getBlob()), size_t(blob.getBytes())),
                                      aad(digest)));
    q.reset();
    SQLite::Statement mark(db_.sql(), "UPDATE pending_authorizations SET used_at = ? WHERE state_digest = ?");
    mark.bind(1, now);
    mark.bind(2, digest);
    mark.exec();
    tx.commit();
    return p;
}

}  // namespace calsync
