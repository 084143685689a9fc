// HMAC-SHA256 over a credential-cache-sized message: the one-shot crypto::hmac()
// (key schedule each call) against a prepared crypto::HmacKey (key schedule once).
#include <benchmark/benchmark.h>

#include <string>

#include "gatekeeper/crypto/crypto.hpp"
#ifndef GK_BENCH_NO_HMAC_KEY
#include "gatekeeper/crypto/hmac_key.hpp"
#endif

namespace {

const std::string kKey(32, 'k');
const std::string kMsg =
    "5:alice11:correct-pw60:$2y$10$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456";

void BM_HmacOneShot(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(gk::crypto::hmac(gk::crypto::DigestAlg::sha256, kKey, kMsg));
}
BENCHMARK(BM_HmacOneShot);

#ifndef GK_BENCH_NO_HMAC_KEY
void BM_HmacKeyMac(benchmark::State& state) {
    const gk::crypto::HmacKey key(gk::crypto::DigestAlg::sha256, kKey);
    for (auto _ : state) benchmark::DoNotOptimize(key.mac(kMsg));
}
BENCHMARK(BM_HmacKeyMac);
#endif

}  // namespace
