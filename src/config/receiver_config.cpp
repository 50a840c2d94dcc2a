#include "config/receiver_config.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <sstream>

#include "errors.hpp"

namespace calsync {
namespace {

std::string get(const Environment& env, const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? std::string{} : it->second;
}

}  // namespace

std::map<std::string, std::string> parse_toml_settings(const std::string& text, const std::string& origin) {
    std::istringstream in(text);
    std::vector<CLI::ConfigItem> items;
    try {
        items = CLI::ConfigTOML().from_config(in);
    } catch (const CLI::Error& e) {
        throw ConfigError(origin + ": " + e.what());
    }
    std::map<std::string, std::string> out;
    for (const auto& item : items) {
        if (item.name == "++" || item.name == "--") continue;  // section markers
        std::string key = item.fullname();
        if (item.inputs.size() != 1) throw ConfigError(origin + ": key '" + key + "' takes one value");
        out[key] = item.inputs.front();
    }
    return out;
}

std::filesystem::path default_db_path(const Environment& env) {
    if (auto dir = get(env, "STATE_DIRECTORY"); !dir.empty())
        return std::filesystem::path(dir.substr(0, dir.find(':'))) / "calsync.db";
    return "/var/lib/calsync/calsync.db";
}

ReceiverConfig load_receiver_config(const Environment& env) {
    std::string path = get(env, "CALSYNC_CONFIG");
    bool required = !path.empty();
    if (!required) path = "/etc/calsync/calsync.conf";

    std::map<std::string, std::string> file;
    if (std::ifstream in(path); in) {
        std::stringstream ss;
        ss << in.rdbuf();
        file = parse_toml_settings(ss.str(), path);
    } else if (required) {
        throw ConfigError("cannot read config file " + path);
    }

    ReceiverConfig c;
    c.db = default_db_path(env);
    if (auto it = file.find("db"); it != file.end()) c.db = it->second;
    if (auto it = file.find("queue-trigger"); it != file.end()) c.queue_trigger = it->second;
    if (auto v = get(env, "CALSYNC_DB"); !v.empty()) c.db = v;
    if (auto v = get(env, "CALSYNC_QUEUE_TRIGGER"); !v.empty()) c.queue_trigger = v;
    if (c.queue_trigger.empty()) c.queue_trigger = c.db.parent_path() / "queue.trigger";
    return c;
}

}  // namespace calsync
