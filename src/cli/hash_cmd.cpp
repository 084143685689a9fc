// gatekeeper hash [--user NAME]: an argon2id hash (or an htpasswd line) of a
// password read from standard input, never from the command line, where ps
// and shell history would keep it.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/password/htpasswd.hpp"
#include "store/names.hpp"
#include "store/password_input.hpp"

namespace gk::cli {

void add_hash_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "hash", "Print an argon2id hash of a password read from standard input (asked twice on a terminal)");
    auto user = std::make_shared<std::string>();
    cmd->add_option("-u,--user", *user, "Print an htpasswd line NAME:hash instead of the bare hash");
    cmd->footer("Example: printf '%s\\n' \"$PW\" | gatekeeper hash --user alice >> users.htpasswd");
    cmd->callback([user] {
        if (!user->empty()) {
            if (auto ok = store::check_user_name(*user); !ok) {
                std::fprintf(stderr, "gatekeeper hash: %s\n", ok.error().c_str());
                throw CLI::RuntimeError(1);
            }
        }
        auto pw = store::read_new_password(STDIN_FILENO, stderr);
        if (!pw) {
            std::fprintf(stderr, "gatekeeper hash: %s\n", pw.error().c_str());
            throw CLI::RuntimeError(1);
        }
        const std::string hash = password::hash_argon2id(pw->reveal());
        if (user->empty())
            std::printf("%s\n", hash.c_str());
        else
            std::fputs(password::format_htpasswd({password::HtpasswdEntry{*user, hash, 0}}).c_str(), stdout);
    });
}

}  // namespace gk::cli
