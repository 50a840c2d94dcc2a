// The device authorization grant (RFC 8628) as Entra ID runs it
// (PROTOCOL.md §4): /devicecode hands out a user code, the client polls
// /token until a person (here: POST /_control/device) approves or denies.
#include "http.hpp"
#include "microsoft_common.hpp"

namespace emu {

void microsoft_device_authorization(State& state, const httplib::Request& req, httplib::Response& res) {
    std::string tenant = req.matches[1];
    std::lock_guard lock(state.mu);
    const Client* client = authenticate_microsoft_client(state, req, res, tenant);
    if (!client) return;
    Scopes scopes = split_scopes(param(req, "scope"));
    if (scopes.empty())
        return send_aad_error(res, 400, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'scope'.");
    std::string code = state.create_device_code(client->id, normalize_microsoft_scopes(scopes));
    const DeviceCode& device = state.devices.at(code);
    std::string uri = state.base_url + "/microsoft/devicelogin";
    // No verification_uri_complete: Microsoft does not support it.
    send_json(res, 200,
              Json{{"user_code", device.user_code},
                   {"device_code", device.device_code},
                   {"verification_uri", uri},
                   {"expires_in", state.config.device_expires_in},
                   {"interval", device.interval_s},
                   {"message", "To sign in, use a web browser to open the page " + uri + " and enter the code " +
                                   device.user_code + " to authenticate."}});
}

void microsoft_device_token(State& state, const Client& client, const httplib::Request& req, httplib::Response& res) {
    std::string value = param(req, "device_code");
    if (value.empty())
        return send_aad_error(res, 400, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'device_code'.");
    auto it = state.devices.find(value);
    if (it == state.devices.end() || it->second.client_id != client.id)
        return send_aad_error(res, 400, "bad_verification_code", 70000,
                              "The provided value for the input parameter 'device_code' is not valid.");
    DeviceCode& device = it->second;
    Millis now = now_ms();
    if (device.status == DeviceStatus::redeemed)
        return send_aad_error(res, 400, "invalid_grant", 54005,
                              "The device code was already redeemed; start a new device authorization.");
    if (device.expires_ms <= now)
        return send_aad_error(res, 400, "expired_token", 70020,
                              "The provided value for the input parameter 'device_code' is not valid. This device "
                              "code has expired.");
    if (device.status == DeviceStatus::denied)
        return send_aad_error(res, 400, "authorization_declined", 70000,
                              "The user declined the authorization request.");
    if (device.status == DeviceStatus::pending) {
        // RFC 8628 §3.5: a poll sooner than `interval` after the previous one
        // is answered slow_down, and the interval grows for all later polls.
        bool too_fast = device.last_poll_ms != 0 && now - device.last_poll_ms < Millis(device.interval_s) * 1000;
        device.last_poll_ms = now;
        if (too_fast) {
            device.interval_s += state.config.slow_down_increment;
            return send_aad_error(res, 400, "slow_down", 70016,
                                  "OAuth 2.0 device flow error. Polling too fast; increase the interval by " +
                                      std::to_string(state.config.slow_down_increment) + " seconds.");
        }
        return send_aad_error(res, 400, "authorization_pending", 70016,
                              "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
    }
    device.status = DeviceStatus::redeemed;
    const Grant& grant = state.create_grant(Provider::microsoft, device.user_id, client.id, device.scopes);
    send_json(res, 200,
              microsoft_token_response(state, grant, grant.scopes, has_scope(grant.scopes, "offline_access")));
}

}  // namespace emu
