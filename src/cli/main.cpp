// gatekeeper: an HTTP authentication gateway. Subcommands register themselves
// (one file each); exceptions stop here, at the edge, as a message and exit code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"gatekeeper — an HTTP authentication gateway: 401 with a precise challenge, 403 when the answer "
                 "is no, and the rest through to the upstream with the caller's identity."};
    app.require_subcommand(1);
    app.set_version_flag("--version", "gatekeeper 0.1.0");
    gk::cli::add_serve_command(app);
    gk::cli::add_check_command(app);
    gk::cli::add_explain_command(app);
    gk::cli::add_demo_command(app);
    gk::cli::add_user_command(app);
    gk::cli::add_hash_command(app);
    gk::cli::add_token_command(app);
    gk::cli::add_apikey_command(app);
    gk::cli::add_client_command(app);
    gk::cli::add_keys_command(app);
    gk::cli::add_fetch_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gatekeeper: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
