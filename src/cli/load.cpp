#include "cli/load.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "gatekeeper/config/config.hpp"
#include "gatekeeper/crypto/crypto.hpp"
#include "store/htdigest_directory.hpp"
#include "store/htpasswd_directory.hpp"
#include "store/pg_users.hpp"
#include "store/user_sources.hpp"

namespace gk::cli {

Result<std::shared_ptr<server::Runtime>, std::string> load_runtime(const std::string& config_file) {
    auto policy = config::load_policy_file(config_file);
    if (!policy) {
        std::string errors;
        for (const auto& e : policy.error()) errors += config::format(e) + "\n";
        return fail(errors + std::to_string(policy.error().size()) + " error(s)");
    }
    auto rt = std::make_shared<server::Runtime>();
    rt->policy = std::move(policy.value());
    rt->digest_nonces = std::make_shared<schemes::DigestNonces>(crypto::random_bytes(schemes::DigestNonces::kMinKeySize),
                                                                rt->policy.digest.nonce_lifetime);
    rt->digest_counts = std::make_shared<schemes::MemoryNonceCountStore>(rt->policy.digest.max_nonces);
    for (const auto& is : rt->policy.issuers)
        if (is.audiences.empty())
            spdlog::warn("issuer '{}' has no 'audiences': its tokens for any audience pass (RFC 8725 3.9); "
                         "list the audiences this gateway serves",
                         is.name);
    for (const auto& src : rt->policy.user_sources) {
        auto ref = store::source_from_policy(rt->policy, src.name);
        if (!ref) return fail(ref.error());
        auto opened = store::open_user_directory(ref.value());
        if (!opened)
            return fail(config_file + ":" + std::to_string(src.line) + ": error: user source '" + src.name +
                        "': " + opened.error());
        if (auto* ht = dynamic_cast<store::HtpasswdDirectory*>(opened->directory.get())) {
            if (!ht->healthy())
                spdlog::warn("user source '{}' ({}) cannot be read yet: its routes answer 503 until it can",
                             src.name, src.path);
            for (const auto& u : ht->legacy_users())
                spdlog::warn("user '{}' in {} has a legacy hash (apr1, {{SHA}} or DES crypt); rehash it with `gatekeeper hash`",
                             u, src.path);
        }
        if (auto* hd = dynamic_cast<store::HtdigestDirectory*>(opened->directory.get()); hd && !hd->healthy())
            spdlog::warn("user source '{}' ({}) cannot be read yet: its routes answer 503 until it can",
                         src.name, src.path);
        if (auto* pg = dynamic_cast<store::PgUsers*>(opened->directory.get()); pg && !pg->healthy())
            spdlog::warn(
                "user source '{}' (PostgreSQL) cannot be read yet: its routes answer 503 until it can: {}",
                src.name, pg->last_error());
        if (opened->refresh) {
            // Each distinct failure is logged once (the tick runs every second),
            // and so is the recovery.
            rt->periodic.push_back([refresh = opened->refresh, dir = opened->directory, name = src.name,
                                    last = std::string()]() mutable {
                auto r = refresh();
                if (r) {
                    if (!last.empty()) spdlog::info("user source '{}' is readable again", name);
                    last.clear();
                    return;
                }
                if (r.error() == last) return;
                last = r.error();
                if (!dir->healthy())
                    spdlog::warn("user source '{}' cannot be read: its routes answer 503 until it can: {}",
                                 name, r.error());
                else
                    spdlog::warn("user source '{}' not reloaded, keeping the previous users: {}", name,
                                 r.error());
            });
        }
        rt->directories[src.name] = opened->directory;
    }
    for (const auto& route : rt->policy.routes) {
        if (!route.static_files) continue;
        auto site = server::StaticSite::load(*route.static_files);
        if (!site)
            return fail(config_file + ":" + std::to_string(route.line) + ": error: route '" + route.name +
                        "': " + site.error());
        rt->static_sites.emplace(route.name, std::move(site.value()));
    }
    return rt;
}

std::shared_ptr<server::Runtime> load_runtime_or_exit(const std::string& config_file) {
    auto rt = load_runtime(config_file);
    if (!rt) {
        std::fprintf(stderr, "%s; nothing started\n", rt.error().c_str());
        throw CLI::RuntimeError(2);
    }
    return std::move(rt.value());
}

}  // namespace gk::cli
