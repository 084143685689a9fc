// parse_jwk and Jwk::can_verify: every member type, size and restriction.
#include <gtest/gtest.h>

#include <functional>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

// RFC 7515 A.2 (RSA 2048), A.3 (P-256), A.4 (P-521) and RFC 8037 A.1 (Ed25519) keys.
json::object rfc_key(const char* id, const char* which) {
    static const json::value v = load_vectors("rfc/rfc7515_jws.json");
    for (const auto& c : v.at("cases").as_array()) {
        if (c.at("id").as_string() == id) return c.at(which).as_object();
    }
    ADD_FAILURE() << "no vector " << id;
    return {};
}
json::object rsa_private() { return rfc_key("rfc7515-A.2-rs256", "jwk_private"); }
json::object rsa_public() { return rfc_key("rfc7515-A.2-rs256", "jwk_public"); }
json::object p256_private() { return rfc_key("rfc7515-A.3-es256", "jwk_private"); }
json::object p256_public() { return rfc_key("rfc7515-A.3-es256", "jwk_public"); }
json::object p521_public() { return rfc_key("rfc7515-A.4-es512", "jwk_public"); }
json::object ed25519_private() {
    return {{"kty", "OKP"},
            {"crv", "Ed25519"},
            {"d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},
            {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
}
json::object oct(std::size_t bytes) { return {{"kty", "oct"}, {"k", b64(std::string(bytes, 'k'))}}; }

template <class F>
json::object with(json::object o, F&& edit) {
    edit(o);
    return o;
}

struct JwkCase {
    const char* name;
    std::function<json::object()> make;
    std::optional<JoseError> error;
};

class ParseJwk : public ::testing::TestWithParam<JwkCase> {};

TEST_P(ParseJwk, Verdict) {
    const auto& c = GetParam();
    auto r = parse_jwk(json::serialize(c.make()));
    if (!c.error) {
        EXPECT_TRUE(r.ok()) << to_string(r.error());
    } else {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), *c.error);
    }
}

const JwkCase kJwkCases[] = {
    // Accepted
    {"rsa_public", rsa_public, std::nullopt},
    {"rsa_private", rsa_private, std::nullopt},
    {"ec_p256_public", p256_public, std::nullopt},
    {"ec_p256_private", p256_private, std::nullopt},
    {"ec_p521_public", p521_public, std::nullopt},
    {"okp_ed25519", ed25519_private, std::nullopt},
    {"oct_32", [] { return oct(32); }, std::nullopt},
    {"oct_64_hs512", [] { return with(oct(64), [](auto& o) { o["alg"] = "HS512"; }); }, std::nullopt},
    {"with_kid_use_ops_alg",
     [] {
         return with(rsa_public(), [](auto& o) {
             o["kid"] = "k1";
             o["use"] = "sig";
             o["key_ops"] = json::array{"verify"};
             o["alg"] = "RS256";
         });
     },
     std::nullopt},
    {"use_enc_still_parses", [] { return with(rsa_public(), [](auto& o) { o["use"] = "enc"; }); },
     std::nullopt},
    {"unknown_members_ignored",
     [] {
         return with(p256_public(), [](auto& o) {
             o["x5t"] = "abc";
             o["ext"] = true;
         });
     },
     std::nullopt},
    // Structure
    {"empty_object", [] { return json::object{}; }, JoseError::bad_key},
    {"kty_missing", [] { return with(rsa_public(), [](auto& o) { o.erase("kty"); }); }, JoseError::bad_key},
    {"kty_number", [] { return with(rsa_public(), [](auto& o) { o["kty"] = 1; }); }, JoseError::bad_key},
    {"kty_unknown", [] { return with(rsa_public(), [](auto& o) { o["kty"] = "DSA"; }); }, JoseError::bad_key},
    {"kty_lowercase", [] { return with(rsa_public(), [](auto& o) { o["kty"] = "rsa"; }); },
     JoseError::bad_key},
    {"kid_number", [] { return with(rsa_public(), [](auto& o) { o["kid"] = 7; }); }, JoseError::bad_key},
    {"use_array", [] { return with(rsa_public(), [](auto& o) { o["use"] = json::array{"sig"}; }); },
     JoseError::bad_key},
    {"key_ops_string", [] { return with(rsa_public(), [](auto& o) { o["key_ops"] = "verify"; }); },
     JoseError::bad_key},
    {"key_ops_empty", [] { return with(rsa_public(), [](auto& o) { o["key_ops"] = json::array{}; }); },
     JoseError::bad_key},
    {"key_ops_number", [] { return with(rsa_public(), [](auto& o) { o["key_ops"] = json::array{1}; }); },
     JoseError::bad_key},
    {"key_ops_duplicate",
     [] { return with(rsa_public(), [](auto& o) {
              o["key_ops"] = json::array{"verify", "verify"};
          }); },
     JoseError::bad_key},
    // alg: unknown or not servable by the key -> the key is unusable
    {"alg_rsa_oaep", [] { return with(rsa_public(), [](auto& o) { o["alg"] = "RSA-OAEP"; }); },
     JoseError::bad_key},
    {"alg_none", [] { return with(rsa_public(), [](auto& o) { o["alg"] = "none"; }); }, JoseError::bad_key},
    {"alg_es521", [] { return with(p521_public(), [](auto& o) { o["alg"] = "ES521"; }); },
     JoseError::bad_key},
    {"alg_a256gcm", [] { return with(oct(32), [](auto& o) { o["alg"] = "A256GCM"; }); }, JoseError::bad_key},
    {"alg_lowercase", [] { return with(rsa_public(), [](auto& o) { o["alg"] = "rs256"; }); },
     JoseError::bad_key},
    {"alg_number", [] { return with(rsa_public(), [](auto& o) { o["alg"] = 256; }); }, JoseError::bad_key},
    {"alg_rs256_on_ec", [] { return with(p256_public(), [](auto& o) { o["alg"] = "RS256"; }); },
     JoseError::bad_key},
    {"alg_es384_on_p256", [] { return with(p256_public(), [](auto& o) { o["alg"] = "ES384"; }); },
     JoseError::bad_key},
    {"alg_hs256_on_rsa", [] { return with(rsa_public(), [](auto& o) { o["alg"] = "HS256"; }); },
     JoseError::bad_key},
    {"alg_hs512_on_32_bytes", [] { return with(oct(32), [](auto& o) { o["alg"] = "HS512"; }); },
     JoseError::bad_key},
    {"alg_hs384_on_47_bytes", [] { return with(oct(47), [](auto& o) { o["alg"] = "HS384"; }); },
     JoseError::bad_key},
    // RSA
    {"rsa_n_missing", [] { return with(rsa_public(), [](auto& o) { o.erase("n"); }); }, JoseError::bad_key},
    {"rsa_e_missing", [] { return with(rsa_public(), [](auto& o) { o.erase("e"); }); }, JoseError::bad_key},
    {"rsa_n_number", [] { return with(rsa_public(), [](auto& o) { o["n"] = 5; }); }, JoseError::bad_key},
    {"rsa_n_empty", [] { return with(rsa_public(), [](auto& o) { o["n"] = ""; }); }, JoseError::bad_key},
    {"rsa_n_padded",
     [] { return with(rsa_public(), [](auto& o) { o["n"] = std::string(o["n"].as_string()) + "="; }); },
     JoseError::bad_key},
    {"rsa_n_std_alphabet",
     [] {
         return with(rsa_public(), [](auto& o) {
             std::string n(o["n"].as_string());
             for (auto& ch : n) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
             o["n"] = n;
         });
     },
     JoseError::bad_key},
    {"rsa_e_one", [] { return with(rsa_public(), [](auto& o) { o["e"] = "AQ"; }); }, JoseError::bad_key},
    {"rsa_e_even", [] { return with(rsa_public(), [](auto& o) { o["e"] = "AQAA"; }); }, JoseError::bad_key},
    {"rsa_1024_bits",
     [] {
         return with(rsa_public(), [](auto& o) {
             std::string n = unb64(o["n"].as_string()).substr(0, 128);
             n.back() |= 1;  // odd, so only the size is wrong
             o["n"] = b64(n);
         });
     },
     JoseError::bad_key},
    {"rsa_d_only",
     [] {
         return with(rsa_private(), [](auto& o) {
             for (auto m : {"p", "q", "dp", "dq", "qi"}) o.erase(m);
         });
     },
     JoseError::bad_key},
    {"rsa_crt_without_d", [] { return with(rsa_private(), [](auto& o) { o.erase("d"); }); },
     JoseError::bad_key},
    {"rsa_qi_missing", [] { return with(rsa_private(), [](auto& o) { o.erase("qi"); }); },
     JoseError::bad_key},
    {"rsa_d_wrong", [] { return with(rsa_private(), [](auto& o) { o["d"] = o["p"]; }); }, JoseError::bad_key},
    {"rsa_oth", [] { return with(rsa_private(), [](auto& o) { o["oth"] = json::array{}; }); },
     JoseError::bad_key},
    // EC
    {"ec_crv_missing", [] { return with(p256_public(), [](auto& o) { o.erase("crv"); }); },
     JoseError::bad_key},
    {"ec_crv_secp256k1", [] { return with(p256_public(), [](auto& o) { o["crv"] = "secp256k1"; }); },
     JoseError::bad_key},
    {"ec_crv_p384_for_p256_point", [] { return with(p256_public(), [](auto& o) { o["crv"] = "P-384"; }); },
     JoseError::bad_key},
    {"ec_y_missing", [] { return with(p256_public(), [](auto& o) { o.erase("y"); }); }, JoseError::bad_key},
    {"ec_x_short",
     [] { return with(p256_public(), [](auto& o) { o["x"] = b64(unb64(o["x"].as_string()).substr(1)); }); },
     JoseError::bad_key},
    {"ec_x_leading_zero_extra",
     [] {
         return with(p256_public(),
                     [](auto& o) { o["x"] = b64(std::string(1, '\0') + unb64(o["x"].as_string())); });
     },
     JoseError::bad_key},
    {"ec_point_not_on_curve",
     [] {
         return with(p256_public(), [](auto& o) {
             std::string y = unb64(o["y"].as_string());
             y.back() ^= 1;
             o["y"] = b64(y);
         });
     },
     JoseError::bad_key},
    {"ec_d_mismatch",
     [] {
         return with(p256_private(), [](auto& o) {
             std::string d = unb64(o["d"].as_string());
             d.back() ^= 1;
             o["d"] = b64(d);
         });
     },
     JoseError::bad_key},
    {"ec_d_number", [] { return with(p256_private(), [](auto& o) { o["d"] = 1; }); }, JoseError::bad_key},
    // OKP
    {"okp_x25519", [] { return with(ed25519_private(), [](auto& o) { o["crv"] = "X25519"; }); },
     JoseError::bad_key},
    {"okp_ed448", [] { return with(ed25519_private(), [](auto& o) { o["crv"] = "Ed448"; }); },
     JoseError::bad_key},
    {"okp_x_short",
     [] { return with(ed25519_private(), [](auto& o) { o["x"] = b64(std::string(31, 'x')); }); },
     JoseError::bad_key},
    {"okp_d_mismatch",
     [] {
         return with(ed25519_private(),
                     [](auto& o) { o["x"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; });
     },
     JoseError::bad_key},
    // oct
    {"oct_31_bytes", [] { return oct(31); }, JoseError::bad_key},
    {"oct_empty", [] { return with(oct(32), [](auto& o) { o["k"] = ""; }); }, JoseError::bad_key},
    {"oct_k_missing",
     [] {
         return json::object{{"kty", "oct"}};
     },
     JoseError::bad_key},
    {"oct_k_number", [] { return with(oct(32), [](auto& o) { o["k"] = 1; }); }, JoseError::bad_key},
};

INSTANTIATE_TEST_SUITE_P(Cases, ParseJwk, ::testing::ValuesIn(kJwkCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseJwkText, JsonErrors) {
    EXPECT_EQ(parse_jwk("").error(), JoseError::bad_json);
    EXPECT_EQ(parse_jwk("[]").error(), JoseError::bad_json);
    EXPECT_EQ(parse_jwk(R"({"kty":"oct","k":"x"} trailing)").error(), JoseError::bad_json);
    const std::string k = b64(std::string(32, 'a'));
    EXPECT_EQ(parse_jwk(R"({"kty":"oct","k":")" + k + R"(","k":")" + k + R"("})").error(),
              JoseError::duplicate_member);
    EXPECT_EQ(parse_jwk(R"({"kty":"oct","kty":"RSA","k":")" + k + R"("})").error(),
              JoseError::duplicate_member);
}

TEST(ParseJwkFields, MembersKept) {
    auto j = parse_jwk(json::serialize(with(p256_private(), [](auto& o) {
        o["kid"] = "key-1";
        o["use"] = "sig";
        o["key_ops"] = json::array{"sign", "verify"};
        o["alg"] = "ES256";
    })));
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(j->kid, "key-1");
    EXPECT_EQ(j->use, "sig");
    EXPECT_EQ(j->key_ops, (std::vector<std::string>{"sign", "verify"}));
    EXPECT_EQ(j->alg, SigAlg::es256);
    EXPECT_EQ(j->key.type(), crypto::KeyType::ec);
    EXPECT_EQ(j->key.curve(), crypto::Curve::p256);
    EXPECT_TRUE(j->key.has_private());
    EXPECT_FALSE(parse_jwk(json::serialize(p256_public()))->key.has_private());
    EXPECT_FALSE(parse_jwk(json::serialize(rsa_public()))->alg.has_value());
}

struct CanVerifyCase {
    const char* name;
    std::function<Jwk()> make;
    std::vector<SigAlg> yes;  // every other algorithm must be refused
};

Jwk parsed(const json::object& o) { return parse_jwk(json::serialize(o)).value(); }

TEST(CanVerify, ExactlyTheAlgorithmsTheKeyServes) {
    const CanVerifyCase cases[] = {
        {"rsa_no_alg",
         [] { return parsed(rsa_public()); },
         {SigAlg::rs256, SigAlg::rs384, SigAlg::rs512, SigAlg::ps256, SigAlg::ps384, SigAlg::ps512}},
        {"rsa_alg_rs256",
         [] { return parsed(with(rsa_public(), [](auto& o) { o["alg"] = "RS256"; })); },
         {SigAlg::rs256}},
        {"rsa_alg_ps384",
         [] { return parsed(with(rsa_public(), [](auto& o) { o["alg"] = "PS384"; })); },
         {SigAlg::ps384}},
        {"p256", [] { return parsed(p256_public()); }, {SigAlg::es256}},
        {"p521", [] { return parsed(p521_public()); }, {SigAlg::es512}},
        {"ed25519", [] { return parsed(ed25519_private()); }, {SigAlg::eddsa}},
        {"oct_32", [] { return parsed(oct(32)); }, {SigAlg::hs256}},
        {"oct_48", [] { return parsed(oct(48)); }, {SigAlg::hs256, SigAlg::hs384}},
        {"oct_64", [] { return parsed(oct(64)); }, {SigAlg::hs256, SigAlg::hs384, SigAlg::hs512}},
        {"oct_64_alg_hs256",
         [] { return parsed(with(oct(64), [](auto& o) { o["alg"] = "HS256"; })); },
         {SigAlg::hs256}},
        {"use_sig",
         [] { return parsed(with(p256_public(), [](auto& o) { o["use"] = "sig"; })); },
         {SigAlg::es256}},
        {"use_enc", [] { return parsed(with(p256_public(), [](auto& o) { o["use"] = "enc"; })); }, {}},
        {"use_other", [] { return parsed(with(p256_public(), [](auto& o) { o["use"] = "Sig"; })); }, {}},
        {"key_ops_verify",
         [] { return parsed(with(p256_public(), [](auto& o) { o["key_ops"] = json::array{"verify"}; })); },
         {SigAlg::es256}},
        {"key_ops_sign_verify",
         [] {
             return parsed(with(p256_public(), [](auto& o) {
                 o["key_ops"] = json::array{"sign", "verify"};
             }));
         },
         {SigAlg::es256}},
        {"key_ops_sign_only",
         [] { return parsed(with(p256_public(), [](auto& o) { o["key_ops"] = json::array{"sign"}; })); },
         {}},
        {"key_ops_encrypt",
         [] { return parsed(with(p256_public(), [](auto& o) { o["key_ops"] = json::array{"encrypt"}; })); },
         {}},
        {"empty_key", [] { return Jwk{}; }, {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const Jwk k = c.make();
        for (SigAlg a : kAllAlgs) {
            const bool expected = std::find(c.yes.begin(), c.yes.end(), a) != c.yes.end();
            EXPECT_EQ(k.can_verify(a), expected) << crypto::jose_name(a);
        }
    }
}

}  // namespace
}  // namespace gk::jose
