// ECDSA through the context each EC key prepares once: every curve verifies
// its own signatures and refuses altered ones, the prepared context exists
// only for EC keys, and one key verifies from several threads at once (each
// call works on its own duplicate).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"

namespace gk::crypto {
namespace {

struct EcCase {
    SigAlg alg;
    Curve curve;
};

class EcdsaPrepared : public ::testing::TestWithParam<EcCase> {};

Key public_half(const Key& k) { return *Key::from_pem(k.public_pem()); }

TEST_P(EcdsaPrepared, VerifiesOwnSignaturesOnly) {
    const auto [alg, curve] = GetParam();
    const Key signer = Key::generate_ec(curve);
    const Key verifier = public_half(signer);
    ASSERT_NE(verifier.prepared_verify(), nullptr);
    const std::string data = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9";
    const std::string sig = *sign(alg, signer, data);

    struct Try {
        const char* what;
        std::string data, sig;
        bool ok;
    };
    std::string flipped = sig;
    flipped[flipped.size() / 4] ^= 0x01;  // inside r
    std::string flipped_s = sig;
    flipped_s[flipped_s.size() - 1] ^= 0x01;  // inside s
    const Try tries[] = {
        {"as signed", data, sig, true},
        {"data changed", data + "x", sig, false},
        {"data empty", "", sig, false},
        {"r changed", data, flipped, false},
        {"s changed", data, flipped_s, false},
        {"r and s swapped", data, sig.substr(sig.size() / 2) + sig.substr(0, sig.size() / 2), false},
        {"truncated", data, sig.substr(1), false},
    };
    for (const auto& t : tries) {
        EXPECT_EQ(verify(alg, verifier, t.data, t.sig), t.ok) << t.what;
        EXPECT_EQ(verify(alg, signer, t.data, t.sig), t.ok) << t.what << " (private key)";
    }
    // A copy shares the prepared context and verifies the same.
    const Key copy = verifier;
    EXPECT_EQ(copy.prepared_verify(), verifier.prepared_verify());
    EXPECT_TRUE(verify(alg, copy, data, sig));
}

TEST_P(EcdsaPrepared, OtherCurvesAlgorithmsNeverVerify) {
    const auto [alg, curve] = GetParam();
    const Key k = Key::generate_ec(curve);
    const std::string sig = *sign(alg, k, "data");
    for (SigAlg other : {SigAlg::es256, SigAlg::es384, SigAlg::es512}) {
        if (other != alg) {
            EXPECT_FALSE(verify(other, k, "data", sig));
        }
    }
}

TEST_P(EcdsaPrepared, OneKeyManyThreads) {
    const SigAlg alg = GetParam().alg;  // not a structured binding: the lambda below captures it
    const Curve curve = GetParam().curve;
    const Key signer = Key::generate_ec(curve);
    const Key verifier = public_half(signer);
    const std::string good = *sign(alg, signer, "shared");
    std::string bad = good;
    bad[3] ^= 0x40;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                if (!verify(alg, verifier, "shared", good)) ++wrong;
                if (verify(alg, verifier, "shared", bad)) ++wrong;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Curves, EcdsaPrepared,
                         ::testing::Values(EcCase{SigAlg::es256, Curve::p256}, EcCase{SigAlg::es384, Curve::p384},
                                           EcCase{SigAlg::es512, Curve::p521}),
                         [](const auto& info) { return std::string(jose_name(info.param.alg)); });

TEST(EcdsaPrepared, OnlyEcKeysPrepare) {
    EXPECT_EQ(Key::generate_ed25519().prepared_verify(), nullptr);
    EXPECT_EQ(Key::generate_hmac(32).prepared_verify(), nullptr);
    EXPECT_EQ(Key().prepared_verify(), nullptr);
    EXPECT_NE(Key::generate_ec(Curve::p256).prepared_verify(), nullptr);
}

}  // namespace
}  // namespace gk::crypto
