// The per-request cost of the pure core: Basic decode, challenge formatting,
// route matching and the credential-cache lookup that replaces a slow hash.
#include <benchmark/benchmark.h>

#include "gatekeeper/gate/credential_cache.hpp"
#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/basic.hpp"

namespace {

void BM_ParseAndDecodeBasic(benchmark::State& state) {
    const std::string header = "Basic " + gk::httpauth::base64_encode("alice:wonderland");
    for (auto _ : state) {
        auto c = gk::httpauth::parse_credentials(header);
        auto b = gk::schemes::decode_basic(*c);
        benchmark::DoNotOptimize(b);
    }
}
BENCHMARK(BM_ParseAndDecodeBasic);

void BM_FormatChallenge(benchmark::State& state) {
    const auto c = gk::schemes::basic_challenge("Admin Panel");
    for (auto _ : state) benchmark::DoNotOptimize(gk::httpauth::format_challenge(c));
}
BENCHMARK(BM_FormatChallenge);

void BM_CredentialCacheHit(benchmark::State& state) {
    gk::gate::CredentialCache cache(std::string(32, 'k'), 10000, std::chrono::seconds(60));
    const auto now = gk::gate::CredentialCache::Clock::now();
    cache.remember(cache.key_for("alice", "wonderland", "$2y$10$abcdefghijklmnopqrstuv"), now);
    for (auto _ : state) {
        auto key = cache.key_for("alice", "wonderland", "$2y$10$abcdefghijklmnopqrstuv");
        benchmark::DoNotOptimize(cache.contains(key, now));
    }
}
BENCHMARK(BM_CredentialCacheHit);

void BM_MatchRoute(benchmark::State& state) {
    gk::gate::Policy p;
    for (int i = 0; i < state.range(0); ++i) {
        gk::gate::Route r;
        r.name = "r" + std::to_string(i);
        r.path = {gk::gate::PathMatchKind::prefix, "/svc" + std::to_string(i) + "/", nullptr};
        p.routes.push_back(r);
    }
    gk::gate::Request req;
    req.method = "GET";
    req.host = "example.com";
    req.path = "/svc" + std::to_string(state.range(0) - 1) + "/x";
    for (auto _ : state) benchmark::DoNotOptimize(gk::gate::match_route(p, req));
}
BENCHMARK(BM_MatchRoute)->Arg(1)->Arg(10)->Arg(100);

}  // namespace
