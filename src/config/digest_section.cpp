// digest: the algorithms offered (in challenge order), nonce lifetime and the
// size of the replay memory, for every route that lists the digest scheme.
#include <algorithm>

#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {

void read_digest(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"algorithms", "nonce_lifetime", "max_nonces", "auth_int", "auth_int_max_body",
                                 "userhash"});
    if (auto* x = fields.get("auth_int")) {
        if (auto b = read_bool(ctx, *x)) policy.digest.auth_int = *b;
    }
    if (auto* x = fields.get("auth_int_max_body")) {
        if (auto n = read_uint(ctx, *x, 0, 1u << 30)) policy.digest.auth_int_max_body = *n;
    }
    if (auto* x = fields.get("userhash")) {
        if (auto b = read_bool(ctx, *x)) policy.digest.userhash = *b;
    }
    if (auto* x = fields.get("algorithms")) {
        if (auto items = read_string_list(ctx, *x)) {
            std::vector<schemes::DigestAlgorithm> algs;
            for (const auto& item : *items) {
                auto alg = schemes::parse_digest_algorithm(item.text);
                // The -sess variants are accepted from clients of the base
                // algorithm; the challenge names the base one.
                if (!alg || schemes::is_sess(*alg)) {
                    ctx.error(item.mark, "unknown Digest algorithm '" + item.text + "'",
                              "one of SHA-256, SHA-512-256, MD5 (strongest first)");
                    continue;
                }
                if (std::find(algs.begin(), algs.end(), *alg) != algs.end()) {
                    ctx.error(item.mark, "Digest algorithm '" + item.text + "' is listed twice");
                    continue;
                }
                algs.push_back(*alg);
            }
            if (algs.empty() && items->empty())
                ctx.error(x->mark(), "'algorithms' must not be empty", "remove 'digest' from routes instead");
            policy.digest.algorithms = std::move(algs);
        }
    }
    if (auto* x = fields.get("nonce_lifetime")) {
        if (auto d = read_duration(ctx, *x))
            policy.digest.nonce_lifetime = std::max(std::chrono::seconds{1},
                                                    std::chrono::duration_cast<std::chrono::seconds>(*d));
    }
    if (auto* x = fields.get("max_nonces")) {
        if (auto n = read_uint(ctx, *x, 1, 100'000'000)) policy.digest.max_nonces = *n;
    }
}

}  // namespace gk::config::detail
