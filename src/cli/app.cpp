#include <SQLiteCpp/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "errors.hpp"

#ifndef CALSYNC_VERSION
#define CALSYNC_VERSION "0.0.0"
#endif

namespace calsync {
namespace {

void setup_logging(const GlobalOptions& g, const std::map<std::string, std::string>& env) {
    auto logger = spdlog::stderr_color_mt("calsync");
    // Under systemd the journal stamps lines itself.
    if (env.count("JOURNAL_STREAM"))
        logger->set_pattern("%l: %v");
    else
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::level::level_enum level = spdlog::level::info;
    if (g.quiet) level = spdlog::level::err;
    else if (g.verbosity == 1) level = spdlog::level::debug;
    else if (g.verbosity >= 2) level = spdlog::level::trace;
    logger->set_level(level);
    spdlog::set_default_logger(logger);
}

std::map<std::string, std::string> environment(char** envp) {
    std::map<std::string, std::string> env;
    for (char** e = envp; e && *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return env;
}

bool is_busy(const SQLite::Exception& e) {
    int code = e.getErrorCode() & 0xff;
    return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

}  // namespace

std::unique_ptr<Cli> build_cli() {
    auto cli = std::make_unique<Cli>();
    CLI::App& app = cli->app;
    GlobalOptions& g = cli->globals;
    app.set_version_flag("--version", "calsync " CALSYNC_VERSION);
    app.require_subcommand(1);

    app.add_option_function<std::string>(
           "--config", [&g](const std::string& v) { g.source.file = v; },
           "configuration file (default /etc/calsync/calsync.conf)")
        ->envname("CALSYNC_CONFIG")
        ->group("Global options");
    app.add_flag("-v,--verbose", g.verbosity, "more log detail (repeatable)")->group("Global options");
    app.add_flag("-q,--quiet", g.quiet, "log errors only")->group("Global options");
    app.add_flag("--json", g.json, "machine-readable output on stdout")->group("Global options");

    for (const auto& key : config_keys()) {
        std::string name = key.option();
        const std::string k = key.key;
        // A value on the command line is visible to every user in the process list.
        std::string help = key.secret ? key.help + "; on the command line it is visible to other users" : key.help;
        CLI::Option* opt;
        if (key.is_flag)
            opt = app.add_flag_function(name, [&g, k](int64_t n) { g.source.settings[k] = n > 0 ? "true" : "false"; },
                                        help);
        else
            opt = app.add_option_function<std::string>(name, [&g, k](const std::string& v) { g.source.settings[k] = v; },
                                                       help);
        opt->envname(key.env())->group("Configuration (also in the config file)");
    }

    for (const auto& row : commands()) {
        CLI::App* sub = app.add_subcommand(row.name, row.description);
        sub->fallthrough();
        Runner runner = row.setup(*sub);
        sub->final_callback([cli = cli.get(), runner] { cli->selected = runner; });
    }
    return cli;
}

int run_main(int argc, char** argv, char** envp) {
    auto env = environment(envp);
    auto cli = build_cli();
    try {
        cli->app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cli->app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return cli->app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return cli->app.exit(e);
    } catch (const CLI::ParseError& e) {
        cli->app.exit(e);
        return kExitUsage;
    }
    setup_logging(cli->globals, env);
    Context ctx(cli->globals, env);
    try {
        if (!cli->selected) throw UsageError("no subcommand given (see --help)");
        return cli->selected(ctx);
    } catch (const Error& e) {
        spdlog::error("{}", e.what());
        return e.exit_code();
    } catch (const SQLite::Exception& e) {
        spdlog::error("database: {}", e.what());
        return is_busy(e) ? kExitTemporary : kExitPartial;
    } catch (const nlohmann::json::exception& e) {
        spdlog::error("unexpected JSON from a provider: {}", e.what());
        return kExitPartial;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitPartial;
    }
}

}  // namespace calsync
