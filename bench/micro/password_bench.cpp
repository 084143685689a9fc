// Cost of one verify() per stored format (right password, so the full hash
// runs) and of creating an argon2id hash. Fixtures come from
// tests/unit/password/testdata/ (see its README for how they were made).
#include <benchmark/benchmark.h>

#include <string>

#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/password/htpasswd.hpp"

namespace {

using gk::password::verify;

const std::string kHorse = "correct horse battery staple";

void run_verify(benchmark::State& state, const std::string& stored, const std::string& password) {
    for (auto _ : state) {
        auto r = verify(stored, password);
        if (!r.ok() || !r.value()) state.SkipWithError("fixture did not verify");
        benchmark::DoNotOptimize(r);
    }
}

void BM_Verify_Argon2id_Default(benchmark::State& state) {
    // The cost every new hash (and the dummy hash for unknown users) has.
    static const std::string stored = gk::password::hash_argon2id(kHorse);
    run_verify(state, stored, kHorse);
}
BENCHMARK(BM_Verify_Argon2id_Default)->Unit(benchmark::kMillisecond);

void BM_Verify_Argon2id_Ref_m65536(benchmark::State& state) {
    run_verify(state, "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
               "password");
}
BENCHMARK(BM_Verify_Argon2id_Ref_m65536)->Unit(benchmark::kMillisecond);

void BM_Verify_Bcrypt_Cost5(benchmark::State& state) {
    run_verify(state, "$2y$05$Z7b1l7psCGev/QjjuRg5He/t5Jtt3yBgZFnNnaGbCnvhWXrA51I3.", kHorse);
}
BENCHMARK(BM_Verify_Bcrypt_Cost5)->Unit(benchmark::kMillisecond);

void BM_Verify_Sha256Crypt_5000(benchmark::State& state) {
    run_verify(state, "$5$dI6E2PnRfiskrV0g$qxtRZlPM4DdVbCHy1b5wzBk10h7HdsZCvpz/HqX0w23", kHorse);
}
BENCHMARK(BM_Verify_Sha256Crypt_5000)->Unit(benchmark::kMillisecond);

void BM_Verify_Sha512Crypt_5000(benchmark::State& state) {
    run_verify(state,
               "$6$NiplwWkOx17KV97B$tXUkzz2ANuOQm8HawbOK575F1OtVO87HihATRVWcv2bEVQCg3XsRcnKPfmkQEV5u40AQ26zU46uUy9y"
               "EgVGvt1",
               kHorse);
}
BENCHMARK(BM_Verify_Sha512Crypt_5000)->Unit(benchmark::kMillisecond);

void BM_Verify_Yescrypt_j9T(benchmark::State& state) {
    run_verify(state, "$y$j9T$Cpm14cy2BT1afYRCXUWWF.$iUjUuau6jJdKKhmvv8r5ytmsnM9LgJ4stA0Vtfx.uP.", kHorse);
}
BENCHMARK(BM_Verify_Yescrypt_j9T)->Unit(benchmark::kMillisecond);

void BM_Verify_Apr1(benchmark::State& state) {
    run_verify(state, "$apr1$K0AQWWS8$BveDaJh96h/98XXkHGSch0", kHorse);
}
BENCHMARK(BM_Verify_Apr1)->Unit(benchmark::kMicrosecond);

void BM_Verify_Sha1(benchmark::State& state) { run_verify(state, "{SHA}q/eq1kOINtvlJqojGr3i0O73TUI=", kHorse); }
BENCHMARK(BM_Verify_Sha1)->Unit(benchmark::kMicrosecond);

// Refusals must be cheap: a hostile cost is rejected before any hashing.
void BM_Verify_RejectHostileArgon2(benchmark::State& state) {
    const std::string stored =
        "$argon2id$v=19$m=4294967295,t=4294967295,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
    for (auto _ : state) {
        auto r = verify(stored, kHorse);
        if (r.ok()) state.SkipWithError("hostile hash was not refused");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_Verify_RejectHostileArgon2)->Unit(benchmark::kNanosecond);

void BM_HashArgon2id_Default(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(gk::password::hash_argon2id(kHorse));
}
BENCHMARK(BM_HashArgon2id_Default)->Unit(benchmark::kMillisecond);

void BM_ParseHtpasswd_1000Lines(benchmark::State& state) {
    std::string text;
    for (int i = 0; i < 1000; ++i)
        text += "user" + std::to_string(i) + ":$2y$05$Z7b1l7psCGev/QjjuRg5He/t5Jtt3yBgZFnNnaGbCnvhWXrA51I3.\n";
    for (auto _ : state) benchmark::DoNotOptimize(gk::password::parse_htpasswd(text));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseHtpasswd_1000Lines);

}  // namespace
