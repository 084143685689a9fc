// Every Project Wycheproof HMAC vector (SHA-256, SHA-384, SHA-512). A "valid"
// vector must produce the tag; an "invalid" one (modified tag) must not verify.
// Truncated-tag groups compare the tag against the same-length prefix of the
// full MAC, as a verifier of truncated tags would.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "gatekeeper/crypto/crypto.hpp"
#include "../test_hex.hpp"

namespace gk::crypto {
namespace {

using gk::test::unhex;

boost::json::value load(const std::string& file) {
    std::ifstream in(std::string(GK_VECTORS_DIR) + "/wycheproof/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return boost::json::parse(ss.str());
}

struct File {
    const char* name;
    DigestAlg alg;
};

class WycheproofHmac : public ::testing::TestWithParam<File> {};

TEST_P(WycheproofHmac, EveryVector) {
    const auto doc = load(GetParam().name);
    const auto& root = doc.as_object();
    std::size_t ran = 0;
    for (const auto& gv : root.at("testGroups").as_array()) {
        const auto& g = gv.as_object();
        const auto tag_bytes = static_cast<std::size_t>(g.at("tagSize").as_int64() / 8);
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            const auto id = t.at("tcId").as_int64();
            const std::string key = unhex(t.at("key").as_string());
            const std::string msg = unhex(t.at("msg").as_string());
            const std::string tag = unhex(t.at("tag").as_string());
            const std::string result(t.at("result").as_string());
            const std::string mac = hmac(GetParam().alg, key, msg);
            ASSERT_GE(mac.size(), tag_bytes) << "tcId " << id;
            const bool verifies = tag.size() == tag_bytes && ct_equal(mac.substr(0, tag_bytes), tag);
            if (result == "valid") {
                EXPECT_TRUE(verifies) << "tcId " << id << ": " << t.at("comment").as_string();
            } else {
                ASSERT_EQ(result, "invalid") << "tcId " << id;  // no "acceptable" in MAC files
                EXPECT_FALSE(verifies) << "tcId " << id << ": " << t.at("comment").as_string();
            }
            ++ran;
        }
    }
    EXPECT_EQ(ran, static_cast<std::size_t>(root.at("numberOfTests").as_int64()));
}

INSTANTIATE_TEST_SUITE_P(Files, WycheproofHmac,
                         ::testing::Values(File{"hmac_sha256_test.json", DigestAlg::sha256},
                                           File{"hmac_sha384_test.json", DigestAlg::sha384},
                                           File{"hmac_sha512_test.json", DigestAlg::sha512}),
                         [](const auto& info) {
                             std::string n = info.param.name;
                             return n.substr(0, n.find('_', 5));
                         });

}  // namespace
}  // namespace gk::crypto
