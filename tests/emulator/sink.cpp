// /_sink/{name}/… (any method) and its control routes:
//   GET /_control/sink/{name}, DELETE /_control/sink/{name},
//   POST /_control/sink/{name}/config.
#include "sink.hpp"

#include "control.hpp"
#include "http.hpp"
#include "middleware.hpp"
#include "push.hpp"
#include "routes.hpp"
#include "util/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

namespace emu {
namespace {

// Headers httplib adds to a received request; not on the wire.
bool is_pseudo_header(const std::string& name) {
    return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT";
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// The raw (still encoded) value of a query parameter, if present.
std::optional<std::string> raw_param(const std::string& query, const std::string& name) {
    size_t pos = 0;
    while (pos <= query.size()) {
        size_t amp = query.find('&', pos);
        std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
        if (amp == std::string::npos) break;
        pos = amp + 1;
    }
    return std::nullopt;
}

void answer(SinkBook& sinks, const httplib::Request& req, httplib::Response& res) {
    SinkRequest record;
    record.t_ms = now_ms();
    record.method = req.method;
    record.path = req.path;
    size_t q = req.target.find('?');
    if (q != std::string::npos) record.query = req.target.substr(q + 1);
    record.body = req.body;
    for (const auto& [name, value] : req.headers) {
        if (!is_pseudo_header(name)) record.headers.emplace_back(lower(name), value);
    }
    std::string query = record.query;
    SinkConfig how = sinks.receive(req.matches[1].str(), std::move(record));

    if (how.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(how.delay_ms));
    auto token = raw_param(query, "validationToken");
    if (!token) {
        res.status = how.status ? how.status : 202;
        return;
    }
    res.status = how.status ? how.status : 200;
    std::string body;
    if (how.echo == "decoded") body = calsync::url_decode(*token);
    if (how.echo == "raw") body = *token;
    res.set_content(body, how.content_type.c_str());
}

Json request_json(const SinkRequest& r) {
    Json headers = Json::object();
    for (const auto& [name, value] : r.headers) {
        headers[name] = headers.contains(name) ? headers[name].get<std::string>() + ", " + value : value;
    }
    Json params = Json::object();  // decoded; the first value of a repeated name
    for (const auto& [name, value] : calsync::parse_query(r.query)) {
        if (!params.contains(name)) params[name] = value;
    }
    return {{"t_ms", r.t_ms},   {"method", r.method},   {"path", r.path}, {"query", r.query},
            {"params", params}, {"headers", headers}, {"body", r.body}};
}

SinkConfig parse_config(const Json& body) {
    SinkConfig c;
    if (body.contains("status")) {
        if (!body["status"].is_number_integer() || body["status"].get<int>() < 0 || body["status"].get<int>() > 599)
            throw ControlError(400, "\"status\" must be an HTTP status (0: the default)");
        c.status = body["status"].get<int>();
    }
    if (body.contains("echo")) {
        c.echo = need_string(body, "echo");
        if (c.echo != "decoded" && c.echo != "raw" && c.echo != "none")
            throw ControlError(400, "\"echo\" must be decoded, raw or none");
    }
    if (body.contains("content_type")) {
        if (!body["content_type"].is_string()) throw ControlError(400, "\"content_type\" must be a string");
        c.content_type = body["content_type"].get<std::string>();
    }
    for (auto [key, field] : {std::pair{"delay_ms", &c.delay_ms}, std::pair{"count", &c.count}}) {
        if (!body.contains(key)) continue;
        if (!body[key].is_number_integer() || body[key].get<int>() < (field == &c.count ? -1 : 0))
            throw ControlError(400, std::string("\"") + key + "\" must be a non-negative integer");
        *field = body[key].get<int>();
    }
    return c;
}

}  // namespace

SinkConfig SinkBook::receive(const std::string& name, SinkRequest request) {
    std::lock_guard lock(mu_);
    Sink& sink = sinks_[name];
    sink.requests.push_back(std::move(request));
    SinkConfig how = sink.config;
    if (sink.config.count > 0 && --sink.config.count == 0) sink.config = SinkConfig{};
    return how;
}

std::vector<SinkRequest> SinkBook::requests(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = sinks_.find(name);
    return it == sinks_.end() ? std::vector<SinkRequest>{} : it->second.requests;
}

void SinkBook::configure(const std::string& name, SinkConfig config) {
    std::lock_guard lock(mu_);
    sinks_[name].config = std::move(config);
}

void SinkBook::forget(const std::string& name) {
    std::lock_guard lock(mu_);
    sinks_.erase(name);
}

void SinkBook::clear() {
    std::lock_guard lock(mu_);
    sinks_.clear();
}

void register_sink(httplib::Server& server, State& state) {
    SinkBook& sinks = state.push->sinks;
    const std::string pattern = R"(/_sink/([^/]+)(/.*)?)";
    auto handler = [&sinks](const httplib::Request& req, httplib::Response& res) { answer(sinks, req, res); };
    server.Get(pattern, handler);
    server.Delete(pattern, handler);
    server.Options(pattern, handler);
    server.Post(pattern, with_body(handler));
    server.Put(pattern, with_body(handler));
    server.Patch(pattern, with_body(handler));

    control_route(server, state, "GET", R"(/sink/([^/]+))", [&sinks](const Json&, const httplib::Request& req) {
        Json out = Json::array();
        for (const auto& r : sinks.requests(req.matches[1].str())) out.push_back(request_json(r));
        return out;
    });
    control_route(server, state, "DELETE", R"(/sink/([^/]+))", [&sinks](const Json&, const httplib::Request& req) {
        sinks.forget(req.matches[1].str());
        return Json{{"ok", true}};
    });
    control_route(server, state, "POST", R"(/sink/([^/]+)/config)",
                  [&sinks](const Json& body, const httplib::Request& req) {
                      sinks.configure(req.matches[1].str(), parse_config(body));
                      return Json{{"ok", true}};
                  });
}

}  // namespace emu
