// crypto::verify against the bare OpenSSL calls it wraps, per JOSE algorithm:
// same EVP_PKEY (key.native()), same 300 bytes of data. The gatekeeper path
// adds key_fits(), the length and range checks, and for ES* the R||S -> DER
// conversion; its cost should stay within ~1.15x of the raw call.
//   Raw ES256/RS256/PS256/EdDSA: EVP_MD_CTX_new + EVP_DigestVerifyInit (+ PSS
//   padding/salt/MGF1 settings) + EVP_DigestVerify (ES256 given the DER form).
//   Raw HS256: EVP_MAC fetched once; EVP_MAC_CTX_new + init + update + final +
//   CRYPTO_memcmp (EVP_DigestVerify has no HMAC, and an HMAC Key has no EVP_PKEY).
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string>

#include "raw_openssl.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"

namespace {

using gk::bench::raw_digest_verify;
using gk::bench::raw_hmac_verify;
using gk::bench::to_der;

using gk::crypto::Curve;
using gk::crypto::Key;
using gk::crypto::SigAlg;

const std::string kData(300, 'j');

struct Fixture {
    Key key;
    std::string sig;      // JOSE form
    std::string raw_sig;  // what OpenSSL verifies (DER for ECDSA)
};

const Fixture& fixture(SigAlg alg) {
    auto make = [](SigAlg a, Key k) {
        Fixture f{std::move(k), {}, {}};
        f.sig = *gk::crypto::sign(a, f.key, kData);
        f.raw_sig = a == SigAlg::es256 ? to_der(f.sig) : f.sig;
        return f;
    };
    static const Fixture es256 = make(SigAlg::es256, Key::generate_ec(Curve::p256));
    static const Fixture rsa = make(SigAlg::rs256, Key::generate_rsa(2048));
    static const Fixture ps256 = make(SigAlg::ps256, rsa.key);
    static const Fixture eddsa = make(SigAlg::eddsa, Key::generate_ed25519());
    static const Fixture hs256 = make(SigAlg::hs256, Key::generate_hmac(32));
    switch (alg) {
        case SigAlg::es256:
            return es256;
        case SigAlg::rs256:
            return rsa;
        case SigAlg::ps256:
            return ps256;
        case SigAlg::eddsa:
            return eddsa;
        default:
            return hs256;
    }
}

void gk_verify(benchmark::State& state, SigAlg alg) {
    const Fixture& f = fixture(alg);
    for (auto _ : state) {
        const bool ok = gk::crypto::verify(alg, f.key, kData, f.sig);
        if (!ok) state.SkipWithError("did not verify");
        benchmark::DoNotOptimize(ok);
    }
}

void raw_verify(benchmark::State& state, SigAlg alg) {
    const Fixture& f = fixture(alg);
    for (auto _ : state) {
        const bool ok = alg == SigAlg::hs256 ? raw_hmac_verify(f.key, kData, f.raw_sig)
                                             : raw_digest_verify(alg, f.key.native(), kData, f.raw_sig);
        if (!ok) state.SkipWithError("did not verify");
        benchmark::DoNotOptimize(ok);
    }
}

BENCHMARK_CAPTURE(gk_verify, ES256, SigAlg::es256)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(raw_verify, ES256, SigAlg::es256)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(gk_verify, RS256, SigAlg::rs256)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(raw_verify, RS256, SigAlg::rs256)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(gk_verify, PS256, SigAlg::ps256)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(raw_verify, PS256, SigAlg::ps256)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(gk_verify, EdDSA, SigAlg::eddsa)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(raw_verify, EdDSA, SigAlg::eddsa)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(gk_verify, HS256, SigAlg::hs256)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(raw_verify, HS256, SigAlg::hs256)->Unit(benchmark::kMicrosecond);

}  // namespace
