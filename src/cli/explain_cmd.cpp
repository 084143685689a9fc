// gatekeeper explain --config FILE METHOD URL [-H 'Name: value']...
// The tool an operator reaches for when a request is refused and nobody knows
// why: which route matched, what it accepts and requires, and the decision.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "server/issuer_service.hpp"
#include "server/key_sources.hpp"
#include "cli/load.hpp"
#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/path.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/password/hash.hpp"

namespace gk::cli {
namespace {

std::string describe_path(const gate::PathMatch& p) {
    switch (p.kind) {
        case gate::PathMatchKind::exact: return "exact " + p.value;
        case gate::PathMatchKind::prefix: return "prefix " + p.value;
        case gate::PathMatchKind::regex: return "regex " + p.value;
    }
    return "?";
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

std::string describe_require(const gate::Requirement& r) {
    switch (r.kind) {
        case gate::RequireKind::public_access: return "public (no authentication)";
        case gate::RequireKind::authenticated: return "any authenticated identity";
        case gate::RequireKind::users: return "one of the users: " + join(r.values);
        case gate::RequireKind::groups: return "a member of one of the groups: " + join(r.values);
    }
    return "?";
}

int explain(const std::string& config_file, const std::string& method, const std::string& url,
            const std::vector<std::string>& headers) {
    auto runtime = load_runtime_or_exit(config_file);
    const auto& policy = runtime->policy;
    gate::Request req;
    req.method = method;
    std::string target = url;
    std::string authority;
    if (!url.empty() && url.front() != '/') {
        auto abs = gate::split_absolute_form(url);
        if (!abs) {
            std::fprintf(stderr, "explain: invalid URL: %s\n", gate::to_string(abs.error()));
            return 2;
        }
        authority = abs->authority;
        target = abs->path_and_query;
        req.secure = abs->scheme == "https";
    }
    auto norm = gate::normalize_target(target);
    if (!norm) {
        std::printf("decision:    400 Bad Request\nreason:      the path is refused before routing: %s\n",
                    gate::to_string(norm.error()));
        return 0;
    }
    req.path = norm->path;
    req.query = norm->query;
    for (const auto& h : headers) {
        auto colon = h.find(':');
        if (colon == std::string::npos) {
            std::fprintf(stderr, "explain: header '%s' has no ':'\n", h.substr(0, 40).c_str());
            return 2;
        }
        std::string value = h.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
        req.headers.push_back({h.substr(0, colon), value});
    }
    if (authority.empty())
        if (auto host = req.get("Host")) authority = std::string(*host);
    if (auto colon = authority.rfind(':'); colon != std::string::npos && authority.find(']') == std::string::npos)
        authority.resize(colon);
    for (auto& c : authority) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.host = authority;
    req.client_address = "127.0.0.1";

    std::printf("request:     %s %s (host '%s', normalized path '%s')\n", method.c_str(), url.c_str(),
                req.host.c_str(), req.path.c_str());
    const gate::Route* route = gate::match_route(policy, req);
    if (!route) {
        std::printf("route:       none of the %zu routes matches\n", policy.routes.size());
    } else {
        std::printf("route:       '%s' (%s:%d)\n", route->name.c_str(), policy.source_file.c_str(), route->line);
        std::printf("  matches:   host %s, path %s%s, methods %s\n",
                    route->hosts.empty() ? "any" : join(route->hosts).c_str(), describe_path(route->path).c_str(),
                    route->case_insensitive ? " (case-insensitive)" : "",
                    route->methods.empty() ? "any" : join(route->methods).c_str());
        std::vector<std::string> schemes;
        for (auto k : route->schemes) schemes.emplace_back(gate::to_string(k));
        std::printf("  schemes:   %s\n", schemes.empty() ? "none" : join(schemes).c_str());
        if (!route->realm.empty()) std::printf("  realm:     \"%s\"\n", route->realm.c_str());
        std::printf("  requires:  %s\n", describe_require(route->require).c_str());
        std::printf("  upstream:  %s\n", route->upstream.empty() ? "(answered by gatekeeper)" : route->upstream.c_str());
    }
    // Bearer tokens are checked against the issuers' real keys (files now, URLs fetched once).
    // Sessions, API keys and gatekeeper's own tokens: the same database the server uses.
    auto issuer = server::needs_issuer_service(policy) ? server::IssuerService::start(policy, spdlog::default_logger())
                                                       : nullptr;
    auto keys = policy.issuers.empty() ? nullptr
                                       : server::KeySources::start(policy, spdlog::default_logger(),
                                                                   issuer ? issuer->key_source() : nullptr);
    gate::SchemeContext ctx;
    if (issuer) {
        ctx.credentials = &issuer->credentials();
        ctx.revoked_tokens = &issuer->revoked();
    }
    ctx.digest_nonces = runtime->digest_nonces.get();
    ctx.digest_counts = runtime->digest_counts.get();
    ctx.key_sources = keys ? &keys->by_issuer() : nullptr;
    ctx.now = std::chrono::system_clock::now();
    auto ev = gate::evaluate(policy, req, runtime->directories, ctx);
    gate::Decision d;
    if (ev.decision) {
        d = std::move(*ev.decision);
    } else {
        const auto& check = *ev.check;
        auto ok = password::verify(check.stored_hash, check.password.reveal());
        d = gate::finish_password_check(*ev.route, check, ok.ok() && ok.value(), policy, ctx);
    }
    std::printf("decision:    %d %s\n", gate::status_of(d.verdict), gate::to_string(d.verdict));
    std::printf("reason:      %s\n", d.reason.c_str());
    if (d.identity)
        std::printf("identity:    user '%s', groups [%s], via %s\n", d.identity->user.c_str(),
                    join(d.identity->groups).c_str(), d.identity->scheme.c_str());
    for (const auto& c : d.challenges) std::printf("WWW-Authenticate: %s\n", httpauth::format_challenge(c).c_str());
    if (!d.location.empty()) std::printf("Location:    %s\n", d.location.c_str());
    else if (!d.login_url.empty()) std::printf("login_url:   %s\n", d.login_url.c_str());
    return 0;
}

}  // namespace

void add_explain_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("explain", "Show which route a request matches and what gatekeeper decides");
    struct Args {
        std::string config, method, url;
        std::vector<std::string> headers;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("-c,--config", a->config, "YAML config file")->required();
    cmd->add_option("method", a->method, "HTTP method, e.g. GET")->required();
    cmd->add_option("url", a->url, "URL or path, e.g. https://example.com/admin/ or /admin/")->required();
    cmd->add_option("-H,--header", a->headers, "Request header 'Name: value' (repeatable)");
    cmd->callback([a] {
        const int rc = explain(a->config, a->method, a->url, a->headers);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace gk::cli
