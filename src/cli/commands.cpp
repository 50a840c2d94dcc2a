#include "commands/commands.hpp"

namespace calsync {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"init", "create or migrate the database and create the key file", setup_init},
        {"authorize", "connect a Google or Microsoft account to an organization", setup_authorize},
        {"integrations", "list connected accounts, or show one", setup_integrations},
        {"disconnect", "revoke an integration's access and mark it disconnected", setup_disconnect},
        {"status", "one screen: integrations and what needs attention", setup_status},
        {"events", "the synced events", setup_events},
        {"changes", "the ordered change feed", setup_changes},
        {"calendars", "the calendars of an integration and which are synced", setup_calendars},
        {"poll", "sync every connected integration now (incremental)", setup_poll},
        {"register-webhook", "create (or re-create) push channels for integrations", setup_register_webhook},
        {"renew", "renew push channels that expire soon; create missing ones", setup_renew},
        {"process-queue", "process the notifications the webhook receiver queued", setup_process_queue},
    };
    return table;
}

}  // namespace calsync
