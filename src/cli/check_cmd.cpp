// gatekeeper check --config FILE: validate and say what is wrong, with file:line.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.hpp"
#include "gatekeeper/config/config.hpp"

namespace gk::cli {

void add_check_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("check", "Validate a config file; errors name file:line");
    auto config = std::make_shared<std::string>();
    cmd->add_option("-c,--config", *config, "YAML config file")->required();
    cmd->callback([config] {
        auto policy = config::load_policy_file(*config);
        if (!policy) {
            for (const auto& e : policy.error()) std::fprintf(stderr, "%s\n", config::format(e).c_str());
            std::fprintf(stderr, "%zu error(s)\n", policy.error().size());
            throw CLI::RuntimeError(2);
        }
        std::printf("%s: ok (%zu listener(s), %zu upstream(s), %zu route(s))\n", config->c_str(),
                    policy->listeners.size(), policy->upstreams.size(), policy->routes.size());
    });
}

}  // namespace gk::cli
