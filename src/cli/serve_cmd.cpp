// gatekeeper serve --config FILE
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "server/server.hpp"

namespace gk::cli {

void add_serve_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("serve", "Run the gateway with a config file");
    auto config = std::make_shared<std::string>();
    cmd->add_option("-c,--config", *config, "YAML config file")->required()->check(CLI::ExistingFile);
    cmd->callback([config] {
        auto runtime = load_runtime_or_exit(*config);
        const auto& p = runtime->policy;
        server::ServerHooks hooks;
        hooks.on_ready = [&p] {
            for (const auto& l : p.listeners)
                spdlog::info("gatekeeper listening on {}://{}:{}", l.tls ? "https" : "http", l.address, l.port);
        };
        hooks.reload = [config]() -> Result<std::shared_ptr<const server::Runtime>, std::string> {
            auto r = load_runtime(*config);
            if (!r) return fail(r.error());
            return std::shared_ptr<const server::Runtime>(std::move(r.value()));
        };
        const int rc = server::run_server(runtime, hooks);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace gk::cli
