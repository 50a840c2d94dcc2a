#include "webhook/receiver.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <exception>

#include "db/database.hpp"
#include "errors.hpp"
#include "webhook/routes.hpp"

namespace calsync {
namespace {

using Handler = Response (*)(const Request&, ReceiverServices&);

Response healthz(const Request&, ReceiverServices& services) {
    // Touches the schema, not just the connection.
    services.database().sql().execAndGet("SELECT count(*) FROM webhook_channels");
    return webhook::reply(200, "ok");
}

struct Route {
    std::string_view path;
    std::string_view method;
    uint64_t body_limit;
    Handler handler;
};

// Google sends no body; Graph batches are small, 1 MiB leaves ample room.
constexpr uint64_t kGoogleBodyLimit = 4096;
constexpr uint64_t kGraphBodyLimit = 1 << 20;

constexpr Route kRoutes[] = {
    {"/google", "POST", kGoogleBodyLimit, webhook::google_notification},
    {"/microsoft", "POST", kGraphBodyLimit, webhook::graph_notification},
    {"/microsoft/lifecycle", "POST", kGraphBodyLimit, webhook::graph_notification},
    {"/healthz", "GET", 0, healthz},
};

const Route* find_route(std::string_view path) {
    for (const auto& r : kRoutes)
        if (r.path == path) return &r;
    return nullptr;
}

Response route(const Request& request, ReceiverServices& services) {
    if (!request.malformed.empty()) return webhook::reply(400, request.malformed);
    const Route* r = find_route(request.path_info);
    if (!r) return webhook::reply(404, "no such route");
    if (request.method != r->method) {
        Response res = webhook::reply(405, "method not allowed");
        res.headers.emplace_back("Allow", std::string(r->method));
        return res;
    }
    if (request.content_length.value_or(0) > r->body_limit || request.body.size() > r->body_limit)
        return webhook::reply(413, "body too large (at most " + std::to_string(r->body_limit) + " bytes)");
    return r->handler(request, services);
}

// A database that cannot be opened or answer is the one reason for a 5xx:
// the provider retries later. The message names the cause, never a secret.
Response unavailable(const char* what, const std::exception& e) {
    spdlog::warn("{}: {}", what, e.what());
    return webhook::reply(503, "database unavailable");
}

}  // namespace

namespace webhook {

Response reply(int status, std::string_view text) {
    Response r;
    r.status = status;
    r.body = std::string(text) + "\n";
    return r;
}

std::string loggable(std::string_view text, size_t max) {
    std::string out(text.substr(0, max));
    for (char& c : out)
        if (c < 0x20 || c > 0x7e) c = '?';
    if (text.size() > max) out += "...";
    return out;
}

}  // namespace webhook

bool NoCaseLess::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
}

uint64_t body_limit(std::string_view path_info) {
    const Route* r = find_route(path_info);
    return r ? r->body_limit : 0;
}

Response handle(const Request& request, ReceiverServices& services) {
    Response res;
    try {
        res = route(request, services);
    } catch (const SQLite::Exception& e) {
        res = unavailable("database", e);
    } catch (const Error& e) {
        res = unavailable("database", e);
    } catch (const std::exception& e) {
        res = unavailable("internal error", e);
    }
    if (res.queued > 0) {
        try {
            services.queue_changed();
        } catch (const std::exception& e) {
            spdlog::warn("cannot ask for queue processing: {}", e.what());
        }
    }
    spdlog::info("{} {} {} items={} queued={}", webhook::loggable(request.method, 16),
                 webhook::loggable(request.path_info), res.status, res.items, res.queued);
    return res;
}

bool touch_trigger(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0660);
    if (fd < 0) {
        spdlog::warn("cannot touch the queue trigger {}: {}", path, std::strerror(errno));
        return false;
    }
    bool ok = ::futimens(fd, nullptr) == 0;
    if (!ok) spdlog::warn("cannot touch the queue trigger {}: {}", path, std::strerror(errno));
    ::close(fd);  // closing a file opened for writing also wakes inotify's IN_CLOSE_WRITE (PathChanged=)
    return ok;
}

}  // namespace calsync
