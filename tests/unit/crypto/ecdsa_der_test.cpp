// JOSE R||S -> DER: the encoder writes the same bytes as OpenSSL's
// i2d_ECDSA_SIG for every curve and every shape of r and s (leading zero
// octets, top bit set, the smallest and largest values), and refuses what
// it always refused (wrong length, r or s zero or >= n).
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <string>

#include "crypto/signature_internal.hpp"

namespace gk::crypto {
namespace {

std::string order_of(int nid, std::size_t size) {
    EC_GROUP* g = EC_GROUP_new_by_curve_name(nid);
    std::string out(size, '\0');
    BN_bn2binpad(EC_GROUP_get0_order(g), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
    EC_GROUP_free(g);
    return out;
}

std::string reference_der(std::string_view r, std::string_view s) {
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(r.data()), static_cast<int>(r.size()), nullptr),
                   BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()), nullptr));
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig, &der);
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

std::string encode(Curve c, const std::string& jose) {
    unsigned char der[detail::kMaxEcdsaDer];
    const std::size_t n = detail::ecdsa_jose_to_der(c, jose, der);
    return std::string(reinterpret_cast<const char*>(der), n);
}

// A value of `size` bytes built from a pattern: `zeros` leading zero octets,
// then `first`, then 0x5a filler; "n-1" is the order minus one.
std::string value(std::size_t size, std::size_t zeros, unsigned char first) {
    std::string v(size, '\x5a');
    for (std::size_t i = 0; i < zeros && i < size; ++i) v[i] = '\0';
    if (zeros < size) v[zeros] = static_cast<char>(first);
    return v;
}

std::string minus_one(std::string n) {
    for (std::size_t i = n.size(); i-- > 0;) {
        if (n[i] != '\0') {
            n[i] = static_cast<char>(static_cast<unsigned char>(n[i]) - 1);
            break;
        }
        n[i] = '\xff';
    }
    return n;
}

struct CurveCase {
    Curve curve;
    int nid;
    std::size_t size;
};

class EcdsaDer : public ::testing::TestWithParam<CurveCase> {};

TEST_P(EcdsaDer, SameBytesAsOpenSsl) {
    const auto [curve, nid, size] = GetParam();
    const std::string n = order_of(nid, size);
    const std::string one = std::string(size - 1, '\0') + '\x01';
    const std::string shapes[] = {
        value(size, 0, 0x7f),    // top bit clear: no pad octet
        value(size, 0, 0x80),    // top bit set: a 0x00 pad octet
        value(size, 1, 0x80),    // a leading zero, then top bit set
        value(size, 1, 0x01),    // a leading zero
        value(size, 5, 0xff),    // several leading zeros
        one,                     // the smallest value
        minus_one(n),            // the largest value
    };
    for (const auto& r : shapes) {
        for (const auto& s : shapes) {
            if (r >= n || s >= n) continue;  // P-521's order starts 0x01: some shapes are out of range
            EXPECT_EQ(encode(curve, r + s), reference_der(r, s));
        }
    }
}

TEST_P(EcdsaDer, RefusesWhatIsNotASignature) {
    const auto [curve, nid, size] = GetParam();
    const std::string n = order_of(nid, size);
    const std::string ok = value(size, 0, 0x01);
    const std::string zero(size, '\0');
    EXPECT_EQ(encode(curve, zero + ok), "");       // r = 0
    EXPECT_EQ(encode(curve, ok + zero), "");       // s = 0
    EXPECT_EQ(encode(curve, n + ok), "");          // r = n
    EXPECT_EQ(encode(curve, ok + n), "");          // s = n
    EXPECT_EQ(encode(curve, ok + ok + "x"), "");   // one octet too many
    EXPECT_EQ(encode(curve, ok + ok.substr(1)), "");  // one too few
    EXPECT_EQ(encode(curve, ""), "");
}

INSTANTIATE_TEST_SUITE_P(Curves, EcdsaDer,
                         ::testing::Values(CurveCase{Curve::p256, NID_X9_62_prime256v1, 32},
                                           CurveCase{Curve::p384, NID_secp384r1, 48},
                                           CurveCase{Curve::p521, NID_secp521r1, 66}),
                         [](const auto& info) { return std::string(to_string(info.param.curve)).substr(2); });

}  // namespace
}  // namespace gk::crypto
