// The cases of jwt_bench, each run a fixed number of times, for instruction
// counts under callgrind (steady where wall time on a shared 2-core machine
// is not). Per-operation cost is the difference of two runs, which cancels
// the fixture set-up:
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null jwt_icount gate_cached 1000
//   (and 2000; "Collected" differs by 1000 operations)
// Cases: raw (EVP_DigestVerifyInit + EVP_DigestVerify, DER signature given),
// prepared (openssl speed: EVP_PKEY_verify, digest given), jws, jwt,
// gate_uncached, gate_cached, gate_public, gate_fresh (cache on, a new token
// each time from a pool larger than the cache: run N >= 1500 so that the
// second run's extra operations all evict).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jwt_fixture.hpp"

namespace {

using namespace gk::bench;
using gk::crypto::SigAlg;

bool run(std::string_view what, long n) {
    const Fixture& f = fixture(SigAlg::es256);
    GateFixture& g = gate_fixture();
    bool ok = true;
    if (what == "raw") {
        for (long i = 0; i < n; ++i) ok &= raw_digest_verify(SigAlg::es256, f.verify_key->native(), f.jws.signing_input, f.raw_sig);
    } else if (what == "prepared") {
        const PreparedVerify v(f.verify_key->native());
        unsigned char md[32];
        unsigned int md_len = 0;
        EVP_Digest(f.jws.signing_input.data(), f.jws.signing_input.size(), md, &md_len, EVP_sha256(), nullptr);
        for (long i = 0; i < n; ++i) ok &= v.verify(f.raw_sig, md, md_len);
    } else if (what == "jws") {
        for (long i = 0; i < n; ++i) ok &= static_cast<bool>(gk::jose::verify_jws(f.jws, f.set, f.rules.algorithms));
    } else if (what == "jwt") {
        for (long i = 0; i < n; ++i) ok &= static_cast<bool>(gk::jose::verify_jwt(f.token, f.set, f.rules, kNow));
    } else if (what == "gate_uncached" || what == "gate_cached" || what == "gate_public") {
        const bool cached = what == "gate_cached";
        const auto ctx = g.context(cached);
        const auto& req = what == "gate_public" ? g.public_req : g.req;
        if (cached) ok &= gk::gate::evaluate(g.policy, req, g.dirs, ctx).decision.has_value();  // prime
        for (long i = 0; i < n; ++i) {
            auto ev = gk::gate::evaluate(g.policy, req, g.dirs, ctx);
            ok &= ev.decision && ev.decision->verdict == gk::gate::Verdict::allow;
        }
    } else if (what == "gate_fresh") {
        const auto& reqs = g.fresh_requests();
        auto ctx = g.context(true);
        ctx.token_cache = &g.fresh_cache;
        for (long i = 0; i < n; ++i) {
            auto ev = gk::gate::evaluate(g.policy, reqs[static_cast<std::size_t>(i) % reqs.size()], g.dirs, ctx);
            ok &= ev.decision && ev.decision->verdict == gk::gate::Verdict::allow;
        }
    } else {
        std::fprintf(stderr, "unknown case '%.*s'\n", static_cast<int>(what.size()), what.data());
        return false;
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: jwt_icount CASE N\n");
        return 2;
    }
    const long n = std::strtol(argv[2], nullptr, 10);
    // Warm: fixtures, OpenSSL's lazily loaded providers and tables.
    if (!run(argv[1], 1)) return 1;
    if (!run(argv[1], n)) {
        std::fprintf(stderr, "a case failed to verify or allow\n");
        return 1;
    }
    return 0;
}
