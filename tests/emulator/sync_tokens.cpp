#include "sync_tokens.hpp"

#include "crypto/crypto.hpp"
#include "util/encoding.hpp"

namespace emu {
namespace {

// Google's tokens are standard base64 ("CPDAlvWDx70CEPDAlvWDx70CGAU="), so
// they carry '+', '/' and '=' and must be URL-encoded by the client. Graph's
// are URL-safe ("R0usmcCM996atia_s").
std::string mint(bool graph, const char* google_prefix, size_t bytes) {
    std::string raw = calsync::random_bytes(bytes);
    std::string token = graph ? "R0usmc" : google_prefix;
    token += graph ? calsync::base64url_encode(raw) : calsync::base64_encode(raw);
    return token;
}

}  // namespace

std::string SyncTokens::issue_page(Round round, bool graph) {
    std::string token;
    do {
        token = mint(graph, "CiAKGjBp", 40);
    } while (pages_.count(token));
    pages_.emplace(token, std::move(round));
    return token;
}

std::string SyncTokens::issue_cursor(Cursor cursor, bool graph) {
    std::string token;
    do {
        token = mint(graph, "CPDAlvWDx70C", 16);
    } while (cursors_.count(token));
    cursors_.emplace(token, std::move(cursor));
    return token;
}

const Round* SyncTokens::page(const std::string& token) const {
    auto it = pages_.find(token);
    return it == pages_.end() ? nullptr : &it->second;
}

const Cursor* SyncTokens::cursor(const std::string& token) const {
    auto it = cursors_.find(token);
    return it == cursors_.end() ? nullptr : &it->second;
}

void SyncTokens::clear() {
    pages_.clear();
    cursors_.clear();
}

}  // namespace emu
