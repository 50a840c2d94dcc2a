// calsync integrations [list] | integrations show ID: the connected accounts.
#include "commands/check.hpp"
#include "commands/commands.hpp"
#include "commands/views.hpp"

namespace calsync {
namespace {

struct IntegrationsOptions {
    CLI::App* show = nullptr;
    CLI::App* check = nullptr;
    int64_t id = 0;
    std::vector<int64_t> check_ids;
};

int run_integrations(const IntegrationsOptions& o, Context& ctx) {
    if (o.check && o.check->parsed()) return run_check(o.check_ids, ctx);
    IntegrationStore store(ctx.db());
    if (o.show && o.show->parsed()) {
        auto j = integration_json(ctx.db(), store.require(o.id));
        if (ctx.json())
            ctx.out() << j.dump() << "\n";
        else
            print_integration_detail(ctx.out(), j);
        return kExitOk;
    }
    auto list = store.list();
    if (ctx.json()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& i : list) arr.push_back(integration_json(ctx.db(), i));
        ctx.out() << arr.dump() << "\n";
    } else {
        print_integration_table(ctx.out(), list);
    }
    return kExitOk;
}

}  // namespace

Runner setup_integrations(CLI::App& sub) {
    auto o = std::make_shared<IntegrationsOptions>();
    sub.add_subcommand("list", "list connected accounts (the default)")->fallthrough();
    o->show = sub.add_subcommand("show", "show one integration");
    o->show->fallthrough();
    o->show->add_option("id", o->id, "integration id")->required();
    o->check = sub.add_subcommand("check", "verify access to the provider, refreshing tokens as needed");
    o->check->fallthrough();
    o->check->add_option("ids", o->check_ids, "integration ids (default: all not disconnected)");
    sub.require_subcommand(0, 1);
    return [o](Context& ctx) { return run_integrations(*o, ctx); };
}

}  // namespace calsync
