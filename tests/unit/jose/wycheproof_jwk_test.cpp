// Wycheproof json_web_key_test.json: key sets through parse_jwks, then the
// group's token through parse_jws + verify_jws. Deviations listed and asserted.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

struct Deviation {
    bool accepted;
    const char* why;
};

const std::map<std::int64_t, Deviation>& deviations() {
    static const std::map<std::int64_t, Deviation> d = {
        {1,
         {true,
          "flags MixedKeySet/Ambiguous: an oct key beside public EC keys. Kept (RFC 7517 section 5 does not "
          "forbid "
          "it); JwksParse::private_keys reports it so a JWKS fetched over HTTP can be refused by the "
          "caller"}},
        {4,
         {true,
          "flags DuplicateKid/Ambiguous: the second key's k ends in non-canonical base64url (\"...ingge\") "
          "and is "
          "skipped at load, so one key remains and verifies. Had it parsed, both would be kept and tried "
          "(key "
          "rotation reuses kids; see ParseJwks.DuplicateKidKeepsBoth)"}},
        {7,
         {true,
          "ROCA-vulnerable modulus (Infineon fingerprint): not detected by crypto::Key (2049-bit key "
          "otherwise "
          "valid)"}},
    };
    return d;
}

TEST(WycheproofJwk, AllVectors) {
    const json::value file = load_vectors("wycheproof/json_web_key_test.json");
    std::map<std::string, int> counts, reasons;
    int total = 0, deviated = 0;
    for (const auto& gv : file.at("testGroups").as_array()) {
        const auto& g = gv.as_object();
        const json::value& keyset = g.contains("public") ? g.at("public") : g.at("private");
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            const std::int64_t id = t.at("tcId").as_int64();
            const std::string result(t.at("result").as_string());
            SCOPED_TRACE("tcId " + std::to_string(id) + " " + std::string(g.at("comment").as_string()));
            ++total;
            bool accepted = false;
            std::string reason;
            auto set = parse_jwks(json::serialize(keyset));
            if (!set) {
                reason = std::string("key set: ") + to_string(set.error());
            } else if (set->set.empty()) {
                reason = "every key skipped (" + std::to_string(set->skipped) + ")";
            } else if (auto jws = parse_jws(std::string(t.at("jws").as_string())); !jws) {
                reason = to_string(jws.error());
            } else if (auto v = verify_jws(*jws, set->set); !v) {
                reason = to_string(v.error());
            } else {
                accepted = true;
            }
            if (id == 1) {
                EXPECT_EQ(set->private_keys, 1u);
            }
            if (auto d = deviations().find(id); d != deviations().end()) {
                EXPECT_EQ(accepted, d->second.accepted) << d->second.why;
                ++deviated;
                ++counts[result + (accepted ? "->accepted (deviation)" : "->rejected (deviation)")];
                continue;
            }
            if (result == "valid") {
                EXPECT_TRUE(accepted) << reason;
            } else if (result == "invalid") {
                EXPECT_FALSE(accepted);
            }
            if (!accepted) ++reasons[reason];
            ++counts[result + (accepted ? "->accepted" : "->rejected")];
        }
    }
    EXPECT_EQ(total, file.at("numberOfTests").as_int64());
    EXPECT_EQ(deviated, static_cast<int>(deviations().size()));
    std::cout << "[wycheproof jwk] " << total << " vectors\n";
    for (const auto& [k, n] : counts) std::cout << "  " << k << ": " << n << "\n";
    std::cout << "  rejected by reason:\n";
    for (const auto& [k, n] : reasons) std::cout << "    " << k << ": " << n << "\n";
}

TEST(WycheproofJwk, WeakKeysAreSkippedAtLoad) {
    // SECURITY.md row 41: 1024-bit RSA, e = 1, short and empty HMAC secrets,
    // keys for another algorithm are refused when the set is read.
    const json::value file = load_vectors("wycheproof/json_web_key_test.json");
    const std::map<std::string, std::size_t> expect_kept = {
        {"keysize_too_small", 0},  {"exponentOne", 0}, {"wrong_algorithm", 0},
        {"invalid_algorithm", 0},  {"invalid_use", 0}, {"invalid_point", 0},
        {"wrong_curve", 0},        {"wrong_kty", 0},   {"invalid_aes_gcm_key", 0},
        {"invalid_aes_kw_key", 0}, {"jws_keyset", 2},  {"jws_duplicate_kid", 1},
    };
    for (const auto& gv : file.at("testGroups").as_array()) {
        const auto& g = gv.as_object();
        const std::string comment(g.at("comment").as_string());
        const json::value& keyset = g.contains("public") ? g.at("public") : g.at("private");
        auto set = parse_jwks(json::serialize(keyset));
        ASSERT_TRUE(set.ok()) << comment;
        if (auto e = expect_kept.find(comment); e != expect_kept.end()) {
            EXPECT_EQ(set->set.keys().size(), e->second) << comment;
        }
        const auto& tests = g.at("tests").as_array();
        if (!tests.empty() && tests[0].at("comment") == "key_too_short") {
            EXPECT_EQ(set->set.keys().size(), 0u) << comment;
            EXPECT_EQ(set->skipped, 1u) << comment;
        }
        if (!tests.empty() && tests[0].at("comment") == "empty_key") {
            EXPECT_TRUE(set->set.empty()) << comment;
        }
    }
}

}  // namespace
}  // namespace gk::jose
