// One setup function per subcommand; each lives in its own file.
#pragma once

#include "cli/command.hpp"
#include "errors.hpp"

namespace calsync {

Runner setup_init(CLI::App& sub);
Runner setup_authorize(CLI::App& sub);
Runner setup_integrations(CLI::App& sub);
Runner setup_disconnect(CLI::App& sub);
Runner setup_status(CLI::App& sub);
Runner setup_events(CLI::App& sub);
Runner setup_changes(CLI::App& sub);
Runner setup_poll(CLI::App& sub);
Runner setup_calendars(CLI::App& sub);
Runner setup_register_webhook(CLI::App& sub);
Runner setup_renew(CLI::App& sub);
Runner setup_process_queue(CLI::App& sub);

}  // namespace calsync
