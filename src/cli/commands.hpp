#pragma once
// Each subcommand lives in its own file and registers itself on the app.
namespace CLI { class App; }

namespace gk::cli {

void add_serve_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_explain_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_user_command(CLI::App& app);
void add_hash_command(CLI::App& app);
void add_token_command(CLI::App& app);
void add_apikey_command(CLI::App& app);
void add_client_command(CLI::App& app);
void add_keys_command(CLI::App& app);
void add_fetch_command(CLI::App& app);

}  // namespace gk::cli
