// gatekeeper fetch [-u USER] [--password-stdin] [--bearer-from CMD] [--cacert FILE]
//                  [-X METHOD] [-d DATA] [-i] [-v] URL
// One HTTP request through gk::client (gatekeeper/client.hpp): the server's
// challenge is read, the strongest scheme we can answer is chosen (Digest
// SHA-256 > Digest MD5 > Bearer > Basic), a Digest stale=true and a Bearer
// invalid_token are each retried once. Redirects are not followed. The body
// goes to standard output (with -i after the status line and headers).
//
// The password never comes from the command line (ps and shell history keep
// it): --password-stdin reads one line from standard input, otherwise it is
// asked for on the terminal with echo off. --bearer-from runs CMD with
// /bin/sh and uses its standard output (trimmed) as the token; it runs again
// when the server says invalid_token.
//
// Exit codes:
//   0  a response below 400 (2xx, or a 3xx that was not followed)
//   1  usage or local problem: bad URL, no password, --cacert unreadable,
//      the token command failed
//   2  no response: resolve, connect, TLS (certificate not accepted), timeout
//   3  401: not authenticated (wrong password, token refused, nothing we can answer)
//   4  403: authenticated, but not allowed
//   5  any other status of 400 or above
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "gatekeeper/client.hpp"
#include "server/http_client.hpp"
#include "store/password_input.hpp"

namespace gk::cli {
namespace {

struct FetchArgs {
    std::string url, user, bearer_cmd, cacert, method, data;
    bool password_stdin = false, include = false, verbose = false;
    double timeout = 30;
};

constexpr int kExitLocal = 1, kExitTransport = 2, kExit401 = 3, kExit403 = 4, kExitOther = 5;

[[noreturn]] void die(int code, const std::string& msg) {
    std::fprintf(stderr, "gatekeeper fetch: %s\n", msg.c_str());
    throw CLI::RuntimeError(code);
}

// Asks on the terminal itself (not stdout, which carries the body), echo off.
Result<Secret, std::string> prompt_password(const std::string& user) {
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail(std::string("no terminal to ask for the password: use --password-stdin"));
    const std::string prompt = "Password for " + user + ": ";
    (void)!::write(fd, prompt.data(), prompt.size());
    termios old{};
    const bool is_tty = ::tcgetattr(fd, &old) == 0;
    if (is_tty) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    auto pw = store::read_password_line(fd);
    if (is_tty) ::tcsetattr(fd, TCSAFLUSH, &old);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return pw;
}

// Runs CMD with /bin/sh; its standard output, trimmed, is the token. The
// message on failure names the exit status only (never the output).
Result<Secret, std::string> token_from(const std::string& cmd) {
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return fail(std::string("cannot run the --bearer-from command"));
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
        if (out.size() < 64 * 1024) out.append(buf, n);
    }
    const int status = ::pclose(p);
    Secret token{std::move(out)};
    if (status != 0) {
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return fail("the --bearer-from command failed (exit status " + std::to_string(code) + ")");
    }
    std::string_view t = token.reveal();
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    if (t.empty()) return fail(std::string("the --bearer-from command printed no token"));
    if (t.find_first_of(" \t\r\n") != std::string_view::npos)
        return fail(std::string("the --bearer-from command printed more than one word"));
    return Secret{t};
}

int run_fetch(const FetchArgs& a) {
    auto url = server::parse_http_url(a.url);
    if (!url) die(kExitLocal, url.error());

    client::ClientOptions opt;
    if (!a.user.empty()) {
        opt.user = a.user;
        auto pw = a.password_stdin ? store::read_password_line(STDIN_FILENO) : prompt_password(a.user);
        if (!pw) die(kExitLocal, "password: " + pw.error());
        opt.password = std::move(*pw);
    } else if (a.password_stdin) {
        die(kExitLocal, "--password-stdin needs -u USER");
    }
    if (!a.bearer_cmd.empty()) {
        const std::string cmd = a.bearer_cmd;
        opt.tokens = client::TokenSource{[cmd] { return token_from(cmd); }, [cmd] { return token_from(cmd); }};
    }

    server::HttpClientOptions topt;
    topt.cacert = a.cacert;
    topt.timeout = std::chrono::milliseconds(static_cast<long long>(a.timeout * 1000));
    auto transport = server::make_http_transport(*url, topt);
    if (!transport) die(kExitLocal, transport.error());

    client::Request req;
    req.method = !a.method.empty() ? a.method : (a.data.empty() ? "GET" : "POST");
    req.target = url->target;
    req.body = a.data;
    if (!a.data.empty()) req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");

    client::Client c(std::move(opt), std::move(*transport));
    auto out = c.fetch(req);
    if (!out) {
        // Token command failures are local; everything else is the exchange.
        const bool local = out.error().rfind("token", 0) == 0;
        die(local ? kExitLocal : kExitTransport, out.error());
    }
    const auto& r = out->response;
    if (a.verbose) {
        std::fprintf(stderr, "gatekeeper fetch: %u after %d request(s), scheme %s%s%s\n", r.status, out->attempts,
                     out->scheme ? client::to_string(*out->scheme) : "none",
                     out->stale_retry ? ", stale nonce retried" : "",
                     out->token_refreshed ? ", token refreshed" : "");
    }
    if (a.include) {
        std::printf("HTTP/1.1 %u\r\n", r.status);
        for (const auto& [k, v] : r.headers) std::printf("%s: %s\r\n", k.c_str(), v.c_str());
        std::printf("\r\n");
    }
    std::fwrite(r.body.data(), 1, r.body.size(), stdout);
    std::fflush(stdout);
    if (r.status < 400) return 0;
    if (r.status == 401) return kExit401;
    if (r.status == 403) return kExit403;
    return kExitOther;
}

}  // namespace

void add_fetch_command(CLI::App& app) {
    auto a = std::make_shared<FetchArgs>();
    auto* cmd = app.add_subcommand("fetch", "One HTTP request that answers the server's authentication challenge");
    cmd->add_option("url", a->url, "http:// or https:// URL")->required();
    cmd->add_option("-u,--user", a->user, "User name (the password is read from stdin or asked for)");
    cmd->add_flag("--password-stdin", a->password_stdin, "Read the password (one line) from standard input");
    cmd->add_option("--bearer-from", a->bearer_cmd, "Shell command that prints an access token (run again to refresh)");
    cmd->add_option("--cacert", a->cacert, "PEM file of the CA certificates to trust (instead of the system's)");
    cmd->add_option("-X,--request", a->method, "Method (default GET, or POST with -d)");
    cmd->add_option("-d,--data", a->data, "Request body (form-encoded)");
    cmd->add_flag("-i,--include", a->include, "Print the status line and headers before the body");
    cmd->add_flag("-v,--verbose", a->verbose, "Say on stderr which scheme answered and how many requests it took");
    cmd->add_option("--timeout", a->timeout, "Seconds per request, connect to last byte")->capture_default_str();
    cmd->footer("Exit: 0 below 400, 1 local problem, 2 no response, 3 for 401, 4 for 403, 5 other 4xx/5xx.\n"
                "Example: printf '%s\\n' \"$PW\" | gatekeeper fetch -u alice --password-stdin http://127.0.0.1:8080/admin/");
    cmd->callback([a] {
        const int rc = run_fetch(*a);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace gk::cli
