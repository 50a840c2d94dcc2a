// The subcommand table (one row per subcommand, as in ninja's tool table).
// A row's `setup` declares the subcommand's options into its own options
// struct and returns the runner that executes it with those options.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

#include "cli/context.hpp"

namespace calsync {

using Runner = std::function<int(Context&)>;

struct Command {
    const char* name;
    const char* description;
    Runner (*setup)(CLI::App& sub);
};

const std::vector<Command>& commands();

// Builds the whole command line (global options, config keys, subcommands).
// Parse with `app.parse(argc, argv)`; then `selected` holds the runner.
struct Cli {
    CLI::App app{"calsync: keep a local copy of connected Google and Microsoft 365 calendars", "calsync"};
    GlobalOptions globals;
    Runner selected;
};
std::unique_ptr<Cli> build_cli();

// Parses, runs and maps every error to the documented exit codes.
int run_main(int argc, char** argv, char** envp);

}  // namespace calsync
