#include "faults.hpp"

#include "provider_errors.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace emu {
namespace {

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

Json default_body(const std::string& path, int status) {
    if (starts_with(path, "/google")) return google_default_error(status);
    if (starts_with(path, "/graph")) return graph_default_error(status);
    if (starts_with(path, "/microsoft")) return aad_default_error(status);
    return {{"error", "injected fault"}, {"status", status}};
}

}  // namespace

Fault parse_fault(const Json& body) {
    if (!body.is_object()) throw std::invalid_argument("fault must be a JSON object");
    Fault fault;
    fault.path_prefix = body.value("path", "");
    if (fault.path_prefix.empty() || fault.path_prefix[0] != '/')
        throw std::invalid_argument("fault needs \"path\", a path prefix starting with '/'");
    if (starts_with(fault.path_prefix, "/_control")) throw std::invalid_argument("the control API cannot be faulted");
    fault.method = upper(body.value("method", ""));
    fault.status = body.value("status", 0);
    if (fault.status != 0 && (fault.status < 100 || fault.status > 599))
        throw std::invalid_argument("\"status\" must be 0 or an HTTP status");
    if (body.contains("retry_after")) {
        const auto& value = body["retry_after"];
        fault.retry_after = value.is_string() ? value.get<std::string>() : value.dump();
    }
    if (body.contains("body")) {
        const auto& value = body["body"];
        fault.body = value.is_string() ? value.get<std::string>() : value.dump();
    }
    fault.content_type = body.value("content_type", "");
    fault.remaining = body.value("count", 1);
    if (fault.remaining == 0 || fault.remaining < -1) throw std::invalid_argument("\"count\" must be >= 1, or -1");
    fault.delay_ms = body.value("delay_ms", 0);
    if (fault.delay_ms < 0) throw std::invalid_argument("\"delay_ms\" must be >= 0");
    if (fault.status == 0 && fault.delay_ms == 0) throw std::invalid_argument("a fault needs a status or a delay_ms");
    return fault;
}

std::optional<Fault> FaultTable::take(const std::string& method, const std::string& path) {
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (!starts_with(path, it->path_prefix)) continue;
        if (!it->method.empty() && it->method != method) continue;
        Fault taken = *it;
        if (it->remaining > 0 && --it->remaining == 0) faults_.erase(it);
        return taken;
    }
    return std::nullopt;
}

void write_fault(httplib::Response& res, const Fault& fault, const std::string& path) {
    res.status = fault.status;
    if (!fault.retry_after.empty()) res.set_header("Retry-After", fault.retry_after);
    if (fault.body) {
        std::string type = fault.content_type;
        if (type.empty()) {
            bool json = !fault.body->empty() && (fault.body->front() == '{' || fault.body->front() == '[');
            type = json ? "application/json; charset=UTF-8" : "text/plain; charset=UTF-8";
        }
        res.set_content(*fault.body, type.c_str());
        return;
    }
    res.set_content(default_body(path, fault.status).dump(), "application/json; charset=UTF-8");
}

}  // namespace emu
