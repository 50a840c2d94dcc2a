// The control API (/_control/…): how tests set up users and consents, play
// the person in the device flow, tune behaviour, inject faults and read back
// what calsync did. JSON in, JSON out; see README.md for the reference.
#include "control.hpp"

#include "http.hpp"
#include "microsoft_common.hpp"
#include "middleware.hpp"

#include <algorithm>
#include <cctype>

namespace emu {
namespace {

Scopes string_list(const Json& value, const char* key) {
    if (!value.is_array()) throw ControlError(400, std::string("\"") + key + "\" must be an array of strings");
    Scopes out;
    for (const auto& item : value) {
        if (!item.is_string()) throw ControlError(400, std::string("\"") + key + "\" must be an array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

Json config_json(const Config& c) {
    return {{"access_token_ttl", c.access_token_ttl},       {"device_interval", c.device_interval},
            {"slow_down_increment", c.slow_down_increment}, {"device_expires_in", c.device_expires_in},
            {"strict_rotation", c.strict_rotation},         {"latency_ms", c.latency_ms},
            {"page_size_cap", c.page_size_cap},             {"empty_pages", c.empty_pages},
            {"graph_expired_status", c.graph_expired_status}, {"graph_expired_code", c.graph_expired_code}};
}

void update_int(const Json& body, const char* key, int& field) {
    if (!body.contains(key)) return;
    if (!body[key].is_number_integer() || body[key].get<int>() < 0)
        throw ControlError(400, std::string("\"") + key + "\" must be a non-negative integer");
    field = body[key].get<int>();
}

std::string normalize_user_code(std::string code) {
    code.erase(std::remove_if(code.begin(), code.end(), [](char c) { return c == '-' || c == ' '; }), code.end());
    std::transform(code.begin(), code.end(), code.begin(), [](unsigned char c) { return std::toupper(c); });
    return code;
}

Json set_consent(State& state, const Json& body) {
    Provider provider = need_provider(body.value("provider", ""));
    Consent consent;
    consent.email = need_string(body, "email");
    if (body.contains("granted_scopes")) {
        Scopes granted = string_list(body["granted_scopes"], "granted_scopes");
        consent.granted_scopes = provider == Provider::microsoft ? normalize_microsoft_scopes(granted) : granted;
    }
    consent.error = body.value("error", "");
    const User& user = state.ensure_user(provider, consent.email, body.value("name", ""));
    state.consents[provider] = std::move(consent);
    return {{"user_id", user.id}};
}

Json act_on_device(State& state, const Json& body) {
    std::string user_code = normalize_user_code(need_string(body, "user_code"));
    std::string action = need_string(body, "action");
    if (action != "approve" && action != "deny") throw ControlError(400, "\"action\" must be approve or deny");
    auto code = state.user_codes.find(user_code);
    if (code == state.user_codes.end()) throw ControlError(404, "unknown user_code");
    DeviceCode& device = state.devices.at(code->second);
    if (device.expires_ms <= now_ms()) throw ControlError(409, "the device code has expired");
    if (device.status != DeviceStatus::pending) throw ControlError(409, "the device code was already answered");
    if (action == "deny") {
        device.status = DeviceStatus::denied;
        return {{"status", "denied"}};
    }
    device.user_id = state.ensure_user(Provider::microsoft, need_string(body, "email")).id;
    device.status = DeviceStatus::approved;
    return {{"status", "approved"}, {"user_id", device.user_id}};
}

Json upsert_client(State& state, const Json& body) {
    Provider provider = need_provider(body.value("provider", ""));
    std::string id = need_string(body, "client_id");
    Client client;
    if (const Client* existing = state.find_client(provider, id)) client = *existing;
    client.provider = provider;
    client.id = id;
    if (body.contains("client_secret")) {
        if (body["client_secret"].is_null())
            client.secret.reset();
        else
            client.secret = need_string(body, "client_secret");
    }
    if (body.contains("redirect_uris")) client.redirect_uris = string_list(body["redirect_uris"], "redirect_uris");
    state.upsert_client(std::move(client));
    return {{"client_id", id}};
}

Json request_log(const State& state, const httplib::Request& req) {
    std::string prefix = param(req, "path");
    Json out = Json::array();
    for (const auto& r : state.requests) {
        if (r.path.rfind(prefix, 0) != 0) continue;
        Json entry = {{"method", r.method}, {"path", r.path}, {"status", r.status}, {"t_ms", r.t_ms}};
        if (!r.grant_type.empty()) entry["grant_type"] = r.grant_type;
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

Provider need_provider(const std::string& name) {
    if (auto provider = parse_provider(name)) return *provider;
    throw ControlError(400, "\"provider\" must be google or microsoft");
}

std::string need_string(const Json& body, const char* key) {
    if (!body.contains(key) || !body[key].is_string() || body[key].get<std::string>().empty())
        throw ControlError(400, std::string("\"") + key + "\" (a non-empty string) is required");
    return body[key].get<std::string>();
}

void control_route(httplib::Server& server, State& state, const std::string& method, const std::string& path,
                   ControlFn fn) {
    auto handler = [&state, fn = std::move(fn)](const httplib::Request& req, httplib::Response& res) {
        try {
            Json body = req.body.empty() ? Json::object() : Json::parse(req.body);
            std::lock_guard lock(state.mu);
            send_json(res, 200, fn(body, req));
        } catch (const ControlError& e) {
            send_json(res, e.status, Json{{"error", e.what()}});
        } catch (const std::exception& e) {
            send_json(res, 400, Json{{"error", e.what()}});
        }
    };
    std::string full = "/_control" + path;
    if (method == "GET")
        server.Get(full, handler);
    else if (method == "POST")
        server.Post(full, with_body(handler));
    else
        server.Delete(full, handler);
}

void register_control(httplib::Server& server, State& state) {
    control_route(server, state, "POST", "/reset", [&state](const Json&, const auto&) {
        state.reset();
        return Json{{"ok", true}};
    });
    control_route(server, state, "POST", "/users", [&state](const Json& body, const auto&) {
        const User& user = state.ensure_user(need_provider(body.value("provider", "")), need_string(body, "email"),
                                             body.value("name", ""));
        return Json{{"id", user.id}, {"email", user.email}, {"name", user.name}};
    });
    control_route(server, state, "POST", "/consent",
                  [&state](const Json& body, const auto&) { return set_consent(state, body); });
    control_route(server, state, "DELETE", "/consent", [&state](const Json&, const auto& req) {
        state.consents.erase(need_provider(param(req, "provider")));
        return Json{{"ok", true}};
    });
    control_route(server, state, "POST", "/device",
                  [&state](const Json& body, const auto&) { return act_on_device(state, body); });
    control_route(server, state, "POST", "/clients",
                  [&state](const Json& body, const auto&) { return upsert_client(state, body); });
    control_route(server, state, "GET", "/config",
                  [&state](const Json&, const auto&) { return config_json(state.config); });
    control_route(server, state, "POST", "/config", [&state](const Json& body, const auto&) {
        Config next = state.config;
        update_int(body, "access_token_ttl", next.access_token_ttl);
        update_int(body, "device_interval", next.device_interval);
        update_int(body, "slow_down_increment", next.slow_down_increment);
        update_int(body, "device_expires_in", next.device_expires_in);
        update_int(body, "latency_ms", next.latency_ms);
        update_int(body, "page_size_cap", next.page_size_cap);
        update_int(body, "empty_pages", next.empty_pages);
        if (next.empty_pages == 1) throw ControlError(400, "\"empty_pages\" must be 0 or at least 2");
        update_int(body, "graph_expired_status", next.graph_expired_status);
        if (next.graph_expired_status != 410 && next.graph_expired_status != 400 && next.graph_expired_status != 404)
            throw ControlError(400, "\"graph_expired_status\" must be 410, 400 or 404");
        if (body.contains("graph_expired_code")) {
            if (!body["graph_expired_code"].is_string())
                throw ControlError(400, "\"graph_expired_code\" must be a string");
            next.graph_expired_code = body["graph_expired_code"].get<std::string>();
        }
        if (body.contains("strict_rotation")) {
            if (!body["strict_rotation"].is_boolean()) throw ControlError(400, "\"strict_rotation\" must be a boolean");
            next.strict_rotation = body["strict_rotation"].get<bool>();
        }
        state.config = next;
        return config_json(next);
    });
    control_route(server, state, "POST", "/faults", [&state](const Json& body, const auto&) {
        state.faults.add(parse_fault(body));
        return Json{{"pending", state.faults.size()}};
    });
    control_route(server, state, "DELETE", "/faults", [&state](const Json&, const auto&) {
        state.faults.clear();
        return Json{{"ok", true}};
    });
    control_route(server, state, "GET", "/requests",
                  [&state](const Json&, const auto& req) { return request_log(state, req); });
    control_route(server, state, "DELETE", "/requests", [&state](const Json&, const auto&) {
        state.requests.clear();
        return Json{{"ok", true}};
    });
    control_route(server, state, "GET", "/secrets", [&state](const Json&, const auto&) {
        return Json{{"values", state.secrets()}};
    });
    register_control_tokens(server, state);
    register_control_calendar(server, state);
    register_control_push(server, state);
}

}  // namespace emu
