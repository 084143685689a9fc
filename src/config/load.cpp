// Entry points: YAML text or file in, Policy or every error out. yaml-cpp
// throws; this is the edge where that is caught and turned into values.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/sections.hpp"
#include "gatekeeper/config/config.hpp"

namespace gk::config {
namespace {

// Far above any sane config; keeps a wrong path (a disk image, /dev/zero)
// from being read whole.
constexpr std::uintmax_t kMaxConfigBytes = 4u << 20;

void read_policy(detail::Ctx& ctx, const YAML::Node& root, gate::Policy& policy) {
    if (root.IsNull() || !root.IsDefined()) {
        ctx.error(YAML::Mark(), "the config is empty", "see docs/config-schema.md; it needs listeners and routes");
        return;
    }
    if (!detail::expect_map(ctx, root, "the config file")) return;
    detail::Fields top(ctx, root, {"server", "listeners", "upstreams", "users", "identity_headers", "digest", "issuers",
                                       "bearer", "oauth", "sessions", "mtls", "brute_force", "routes", "acme", "state"});
    // Named things first: routes refer to upstreams and user sources.
    if (auto* f = top.get("server")) detail::read_server(ctx, *f, policy);
    if (auto* f = top.get("listeners")) detail::read_listeners(ctx, *f, policy);
    else ctx.error(root.Mark(), "no 'listeners'", "listeners:\n  - { address: 127.0.0.1, port: 8080 }");
    if (auto* f = top.get("upstreams")) detail::read_upstreams(ctx, *f, policy);
    if (auto* f = top.get("users")) detail::read_users(ctx, *f, policy);
    if (auto* f = top.get("identity_headers")) detail::read_identity_headers(ctx, *f, policy);
    if (auto* f = top.get("digest")) detail::read_digest(ctx, *f, policy);
    if (auto* f = top.get("issuers")) detail::read_issuers(ctx, *f, policy);
    if (auto* f = top.get("bearer")) detail::read_bearer(ctx, *f, policy);
    if (auto* f = top.get("oauth")) detail::read_oauth(ctx, *f, policy);
    if (auto* f = top.get("sessions")) detail::read_sessions(ctx, *f, policy);
    if (auto* f = top.get("mtls")) detail::read_mtls(ctx, *f, policy);
    if (auto* f = top.get("brute_force")) detail::read_brute_force(ctx, *f, policy.brute_force);
    if (auto* f = top.get("acme")) detail::read_acme(ctx, *f, policy);  // acme: automatic certificates
    if (auto* f = top.get("state")) detail::read_state(ctx, *f, policy);
    if (policy.state.postgres.empty())
        for (const auto& at : ctx.postgres_user_sources)
            ctx.error(at, "a 'postgres' user source needs a state database",
                      "add state: { postgres: { conninfo: \"host=127.0.0.1 dbname=gatekeeper "
                      "user=gatekeeper\" } }");
    if (!policy.acme.enabled)
        for (const auto& at : ctx.tls_without_certificate)
            ctx.error(at, "tls needs a certificate",
                      "tls: { cert: cert.pem, key: key.pem }, tls: { certificates: [...] }, or an acme: section "
                      "whose hosts get certificates by themselves");
    // Sessions, API keys and the issuer share one database, by default in the state folder.
    if (policy.self_issuer.database.empty()) policy.self_issuer.database = policy.state_dir + "/gatekeeper.db";
    if (auto* f = top.get("routes")) detail::read_routes(ctx, *f, policy);
    else ctx.error(root.Mark(), "no 'routes'", "without routes every request is denied (404)");
}

}  // namespace

LoadResult load_policy_text(std::string_view yaml, const std::string& display_name, const std::string& base_dir) {
    detail::Ctx ctx{display_name, base_dir, {}, {}, {}};
    gate::Policy policy;
    policy.source_file = display_name;
    policy.state_dir = ctx.resolve("state");
    policy.audit_log = policy.state_dir + "/audit.log";
    try {
        const YAML::Node root = YAML::Load(std::string(yaml));
        read_policy(ctx, root, policy);
    } catch (const YAML::Exception& e) {
        // Syntax errors (ParserException) and anything yaml-cpp throws while we walk the tree.
        ctx.error(e.mark, "YAML: " + e.msg, "check indentation, quotes and brackets at this spot");
    }
    if (!ctx.errors.empty()) {
        std::stable_sort(ctx.errors.begin(), ctx.errors.end(), [](const ConfigError& a, const ConfigError& b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
        return fail(std::move(ctx.errors));
    }
    return policy;
}

LoadResult load_policy_file(const std::string& path) {
    namespace fs = std::filesystem;
    auto unreadable = [&](std::string why) {
        return fail(std::vector<ConfigError>{
            ConfigError{path, 0, 0, "cannot read config file: " + why, "check the path and its permissions"}});
    };
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return unreadable(ec ? ec.message() : "not a regular file");
    const auto size = fs::file_size(path, ec);
    if (ec) return unreadable(ec.message());
    if (size > kMaxConfigBytes) return unreadable("larger than 4 MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) return unreadable(std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return unreadable("read failed");
    fs::path abs = fs::absolute(path, ec);
    if (ec) abs = path;
    return load_policy_text(text.str(), path, abs.parent_path().string());
}

}  // namespace gk::config
