// Project Wycheproof signature vectors through crypto::verify, the JOSE path:
// ES256/384/512 (P1363 R||S files), RS256/384/512, PS256/384/512, EdDSA, and
// HS256/384/512. Every "valid" vector must verify, every "invalid" one must not.
//
// "acceptable" vectors (either verdict allowed): in these files only the RSA
// PKCS#1 v1.5 signatures whose DigestInfo omits the NULL parameters of the
// hash AlgorithmIdentifier (flag MissingNull, bugType LEGACY, one per
// rsa_signature_* file). OpenSSL 3 rejects them and so does gatekeeper; the
// test asserts nothing about them (beyond not crashing) and prints the counts.
//
// Groups whose parameters are not a JOSE algorithm (another curve, hash, MGF
// hash or salt length) would be skipped with a counted reason; the copied
// files hold none, and the test fails if it skipped everything in a file.
// HMAC: JWS never truncates a MAC, so the full-length-tag groups run as
// HS256/384/512 and every vector of a truncated-tag group (tagSize 128) must be
// refused by verify(), "valid" included (the raw truncated HMAC is covered by
// wycheproof_hmac_test.cpp).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "../test_hex.hpp"

namespace gk::crypto {
namespace {

namespace json = boost::json;

using gk::test::unhex;

json::value load(const std::string& file) {
    std::ifstream in(std::string(GK_VECTORS_DIR) + "/wycheproof/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t num(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_int64() ? v->as_int64() : -1;
}

enum class Family { ecdsa, rsa_pkcs1, rsa_pss, eddsa };

struct File {
    const char* name;
    SigAlg alg;
    Family family;
};

const char* sha_of(SigAlg alg) {
    switch (alg) {
        case SigAlg::hs256:
        case SigAlg::rs256:
        case SigAlg::ps256:
        case SigAlg::es256:
            return "SHA-256";
        case SigAlg::hs384:
        case SigAlg::rs384:
        case SigAlg::ps384:
        case SigAlg::es384:
            return "SHA-384";
        case SigAlg::eddsa:
            return "";
        default:
            return "SHA-512";
    }
}

const char* wycheproof_curve(Curve c) {
    switch (c) {
        case Curve::p256:
            return "secp256r1";
        case Curve::p384:
            return "secp384r1";
        case Curve::p521:
            return "secp521r1";
        case Curve::none:
            break;
    }
    return "";
}

struct Tally {
    std::map<std::string, int> result;  // valid / invalid / acceptable
    int acceptable_accepted = 0;
    int auth_bypass = 0;  // vectors carrying a flag whose bugType is AUTH_BYPASS (all must fail)
    std::map<std::string, int> skipped;  // reason -> vectors
    int truncated_refused = 0;
    int total = 0;

    void print(const char* file) const {
        std::printf("[wycheproof] %-42s valid %3d  invalid %3d  acceptable %d (accepted %d)  auth-bypass %d",
                    file, at("valid"), at("invalid"), at("acceptable"), acceptable_accepted, auth_bypass);
        if (truncated_refused > 0) std::printf("  truncated-tag refused %d", truncated_refused);
        for (const auto& [reason, n] : skipped) std::printf("  skipped %d (%s)", n, reason.c_str());
        std::printf("\n");
    }
    int at(const char* k) const {
        auto it = result.find(k);
        return it == result.end() ? 0 : it->second;
    }
};

std::set<std::string> auth_bypass_flags(const json::object& root) {
    std::set<std::string> out;
    if (const auto* notes = root.if_contains("notes"); notes != nullptr && notes->is_object()) {
        for (const auto& [flag, note] : notes->as_object()) {
            if (note.is_object() && str(note.as_object(), "bugType") == "AUTH_BYPASS") out.emplace(flag);
        }
    }
    return out;
}

bool has_flag_in(const json::object& t, const std::set<std::string>& flags) {
    if (const auto* f = t.if_contains("flags"); f != nullptr && f->is_array()) {
        for (const auto& v : f->as_array()) {
            if (v.is_string() && flags.count(std::string(v.as_string())) != 0) return true;
        }
    }
    return false;
}

// The key of a group, or the reason the group is not a JOSE algorithm.
struct GroupKey {
    Key key;
    std::string skip;
};

GroupKey group_key(const File& f, const json::object& g) {
    const std::string sha = str(g, "sha");
    if (f.family != Family::eddsa && sha != sha_of(f.alg)) return {{}, "hash " + sha};
    const auto& pk = g.at("publicKey").as_object();
    switch (f.family) {
        case Family::ecdsa: {
            const Curve c = curve_for(f.alg);
            if (str(pk, "curve") != wycheproof_curve(c)) return {{}, "curve " + str(pk, "curve")};
            const std::string point = unhex(str(pk, "uncompressed"));
            const std::size_t n = coordinate_size(c);
            EXPECT_EQ(point.size(), 1 + 2 * n);
            auto k = Key::ec(c, point.substr(1, n), point.substr(1 + n, n));
            EXPECT_TRUE(k.ok()) << to_string(k.error());
            return {k.ok() ? *k : Key{}, ""};
        }
        case Family::rsa_pss: {
            const int hash_len = f.alg == SigAlg::ps256 ? 32 : f.alg == SigAlg::ps384 ? 48 : 64;
            if (str(g, "mgf") != "MGF1" || str(g, "mgfSha") != sha) return {{}, "MGF " + str(g, "mgfSha")};
            if (num(g, "sLen") != hash_len) return {{}, "salt length " + std::to_string(num(g, "sLen"))};
            [[fallthrough]];
        }
        case Family::rsa_pkcs1: {
            RsaComponents c;
            c.n = unhex(str(pk, "modulus"));
            c.e = unhex(str(pk, "publicExponent"));
            auto k = Key::rsa(c);
            EXPECT_TRUE(k.ok()) << to_string(k.error());
            return {k.ok() ? *k : Key{}, ""};
        }
        case Family::eddsa: {
            if (str(pk, "curve") != "edwards25519") return {{}, "curve " + str(pk, "curve")};
            auto k = Key::ed25519(unhex(str(pk, "pk")));
            EXPECT_TRUE(k.ok()) << to_string(k.error());
            return {k.ok() ? *k : Key{}, ""};
        }
    }
    return {{}, "unknown family"};
}

class WycheproofSignature : public ::testing::TestWithParam<File> {};

TEST_P(WycheproofSignature, EveryVector) {
    const File& f = GetParam();
    const auto doc = load(f.name);
    ASSERT_TRUE(doc.is_object()) << f.name;
    const auto& root = doc.as_object();
    const auto bypass = auth_bypass_flags(root);
    Tally tally;
    for (const auto& gv : root.at("testGroups").as_array()) {
        const auto& g = gv.as_object();
        const GroupKey gk = group_key(f, g);
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            ++tally.total;
            if (!gk.skip.empty()) {
                ++tally.skipped[gk.skip];
                continue;
            }
            const auto id = num(t, "tcId");
            const std::string result = str(t, "result");
            ++tally.result[result];
            const bool ok = verify(f.alg, gk.key, unhex(str(t, "msg")), unhex(str(t, "sig")));
            if (has_flag_in(t, bypass)) {
                ++tally.auth_bypass;
                EXPECT_FALSE(ok) << "AUTH_BYPASS vector accepted: tcId " << id;
            }
            if (result == "valid") {
                EXPECT_TRUE(ok) << f.name << " tcId " << id << ": " << str(t, "comment");
            } else if (result == "invalid") {
                EXPECT_FALSE(ok) << f.name << " tcId " << id << ": " << str(t, "comment");
            } else {
                ASSERT_EQ(result, "acceptable") << "tcId " << id;
                tally.acceptable_accepted += ok ? 1 : 0;
            }
        }
    }
    EXPECT_EQ(tally.total, num(root, "numberOfTests"));
    EXPECT_GT(tally.at("valid"), 0) << "every group skipped?";
    tally.print(f.name);
}

INSTANTIATE_TEST_SUITE_P(
    Files, WycheproofSignature,
    ::testing::Values(File{"ecdsa_secp256r1_sha256_p1363_test.json", SigAlg::es256, Family::ecdsa},
                      File{"ecdsa_secp384r1_sha384_p1363_test.json", SigAlg::es384, Family::ecdsa},
                      File{"ecdsa_secp521r1_sha512_p1363_test.json", SigAlg::es512, Family::ecdsa},
                      File{"rsa_signature_2048_sha256_test.json", SigAlg::rs256, Family::rsa_pkcs1},
                      File{"rsa_signature_2048_sha384_test.json", SigAlg::rs384, Family::rsa_pkcs1},
                      File{"rsa_signature_2048_sha512_test.json", SigAlg::rs512, Family::rsa_pkcs1},
                      File{"rsa_signature_3072_sha256_test.json", SigAlg::rs256, Family::rsa_pkcs1},
                      File{"rsa_signature_4096_sha256_test.json", SigAlg::rs256, Family::rsa_pkcs1},
                      File{"rsa_pss_2048_sha256_mgf1_32_test.json", SigAlg::ps256, Family::rsa_pss},
                      File{"rsa_pss_2048_sha384_mgf1_48_test.json", SigAlg::ps384, Family::rsa_pss},
                      File{"rsa_pss_4096_sha512_mgf1_64_test.json", SigAlg::ps512, Family::rsa_pss},
                      File{"ed25519_test.json", SigAlg::eddsa, Family::eddsa}),
    [](const auto& info) {
        std::string n = info.param.name;
        n = n.substr(0, n.size() - std::string("_test.json").size());
        for (char& c : n) {
            if (c == '_' || c == '-') c = 'X';
        }
        return n;
    });

// The ASN.1/DER ECDSA file: its signatures are valid ECDSA, but not JOSE. Fed
// to the ES256 path every one of them must be refused, "valid" ones included.
TEST(WycheproofEcdsaDer, NeverAcceptedAsJose) {
    const auto doc = load("ecdsa_secp256r1_sha256_test.json");
    const auto& root = doc.as_object();
    int ran = 0, valid_der = 0;
    for (const auto& gv : root.at("testGroups").as_array()) {
        const auto& g = gv.as_object();
        const GroupKey gk = group_key(File{"", SigAlg::es256, Family::ecdsa}, g);
        ASSERT_TRUE(gk.skip.empty()) << gk.skip;
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            valid_der += str(t, "result") == "valid" ? 1 : 0;
            EXPECT_FALSE(verify(SigAlg::es256, gk.key, unhex(str(t, "msg")), unhex(str(t, "sig"))))
                << "DER accepted: tcId " << num(t, "tcId");
            ++ran;
        }
    }
    EXPECT_EQ(ran, num(root, "numberOfTests"));
    std::printf("[wycheproof] %-42s %d DER signatures refused (%d of them valid DER)\n",
                "ecdsa_secp256r1_sha256_test.json", ran, valid_der);
}

// HMAC vectors through verify(HS*), per test key.
struct MacFile {
    const char* name;
    SigAlg alg;
    int tag_bits;
};

class WycheproofHmacJose : public ::testing::TestWithParam<MacFile> {};

TEST_P(WycheproofHmacJose, EveryVector) {
    const MacFile& f = GetParam();
    const auto doc = load(f.name);
    const auto& root = doc.as_object();
    const auto bypass = auth_bypass_flags(root);
    Tally tally;
    for (const auto& gv : root.at("testGroups").as_array()) {
        const auto& g = gv.as_object();
        const bool full = num(g, "tagSize") == f.tag_bits;
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            ++tally.total;
            const auto id = num(t, "tcId");
            const std::string result = str(t, "result");
            const Key key = Key::hmac_secret(Secret(unhex(str(t, "key"))));
            const bool ok = verify(f.alg, key, unhex(str(t, "msg")), unhex(str(t, "tag")));
            if (!full) {
                ++tally.truncated_refused;
                EXPECT_FALSE(ok) << "truncated tag accepted: tcId " << id;
                continue;
            }
            ++tally.result[result];
            if (has_flag_in(t, bypass)) {
                ++tally.auth_bypass;
                EXPECT_FALSE(ok) << "AUTH_BYPASS vector accepted: tcId " << id;
            }
            if (result == "valid") {
                EXPECT_TRUE(ok) << "tcId " << id << ": " << str(t, "comment");
            } else {
                ASSERT_EQ(result, "invalid") << "tcId " << id;
                EXPECT_FALSE(ok) << "tcId " << id << ": " << str(t, "comment");
            }
        }
    }
    EXPECT_EQ(tally.total, num(root, "numberOfTests"));
    EXPECT_GT(tally.at("valid"), 0);
    tally.print(f.name);
}

INSTANTIATE_TEST_SUITE_P(Files, WycheproofHmacJose,
                         ::testing::Values(MacFile{"hmac_sha256_test.json", SigAlg::hs256, 256},
                                           MacFile{"hmac_sha384_test.json", SigAlg::hs384, 384},
                                           MacFile{"hmac_sha512_test.json", SigAlg::hs512, 512}),
                         [](const auto& info) { return std::string(jose_name(info.param.alg)); });

}  // namespace
}  // namespace gk::crypto
