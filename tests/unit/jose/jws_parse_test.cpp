// parse_jws: every syntax rule of RFC 7515 section 7.1 and the header checks,
// in the order they run (size, parts, base64url, JSON, parameters).
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

const std::string kSig = b64("signature-bytes");
std::string tok(std::string_view header_json, std::string_view payload = "{}") {
    return b64(header_json) + "." + b64(payload) + "." + kSig;
}

struct ParseCase {
    const char* name;
    std::string token;
    std::optional<JoseError> error;
};

class ParseJws : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseJws, Verdict) {
    const auto& c = GetParam();
    auto r = parse_jws(c.token);
    if (!c.error) {
        EXPECT_TRUE(r.ok()) << to_string(r.error());
    } else {
        ASSERT_FALSE(r.ok()) << "accepted";
        EXPECT_EQ(r.error(), *c.error) << to_string(r.error());
    }
}

const std::string kH = b64(R"({"alg":"HS256"})");
const std::string kP = b64("{}");

const ParseCase kParseCases[] = {
    {"minimal", tok(R"({"alg":"HS256"})"), std::nullopt},
    {"empty_payload", kH + ".." + kSig, std::nullopt},
    {"every_alg_name", tok(R"({"alg":"EdDSA","kid":"k","typ":"JWT","cty":"json"})"), std::nullopt},
    {"unknown_params_ignored", tok(R"({"alg":"ES256","foo":{"bar":[1,2]},"x5t":"abc"})"), std::nullopt},
    {"jku_x5u_jwk_x5c_parsed_past",
     tok(R"({"alg":"RS256","jku":"https://attacker.example/jwks","x5u":"http://169.254.169.254/",)"
         R"("jwk":{"kty":"oct","k":"AAAA"},"x5c":["MIIB"]})"),
     std::nullopt},
    // Parts
    {"empty", "", JoseError::malformed},
    {"one_part", kH, JoseError::malformed},
    {"two_parts", kH + "." + kP, JoseError::malformed},
    {"four_parts", kH + "." + kP + "." + kSig + ".", JoseError::malformed},
    {"four_parts_full", kH + "." + kP + "." + kSig + "." + kSig, JoseError::malformed},
    {"jwe_five_parts",
     b64(R"({"alg":"dir","enc":"A256GCM"})") + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
     JoseError::malformed},
    {"empty_header", "." + kP + "." + kSig, JoseError::malformed},
    {"empty_signature", kH + "." + kP + ".", JoseError::malformed},
    {"only_dots", "..", JoseError::malformed},
    {"json_serialization", R"({"protected":"eyJhbGciOiJIUzI1NiJ9","payload":"e30","signature":"AAAA"})",
     JoseError::malformed},
    // base64url
    {"header_padded", kH + "=." + kP + "." + kSig, JoseError::bad_base64},
    {"payload_padded", kH + ".e30=." + kSig, JoseError::bad_base64},
    {"signature_padded", kH + "." + kP + "." + kSig + "=", JoseError::bad_base64},
    {"payload_noncanonical_bits", kH + ".e31." + kSig, JoseError::bad_base64},
    {"signature_noncanonical_bits", kH + "." + kP + ".AB", JoseError::bad_base64},
    {"header_std_alphabet", "eyJhbGciOiJIUzI1NiJ9+." + kP + "." + kSig, JoseError::bad_base64},
    {"signature_slash", kH + "." + kP + ".ab/c", JoseError::bad_base64},
    {"space_in_payload", kH + ".e3 0." + kSig, JoseError::bad_base64},
    {"newline_in_signature", kH + "." + kP + ".AAAA\nAAAA", JoseError::bad_base64},
    {"question_mark", kH + "." + kP + ".AA?A", JoseError::bad_base64},
    {"percent_encoded_pad", kH + "." + kP + "." + kSig + "%3D", JoseError::bad_base64},
    {"header_one_char", "e." + kP + "." + kSig, JoseError::bad_base64},
    // JSON
    {"header_not_json", tok("alg=HS256"), JoseError::bad_json},
    {"header_array", tok(R"(["alg","HS256"])"), JoseError::bad_json},
    {"header_string", tok(R"("HS256")"), JoseError::bad_json},
    {"header_trailing_bytes", tok(R"({"alg":"HS256"}x)"), JoseError::bad_json},
    {"header_bom", tok("\xEF\xBB\xBF{\"alg\":\"HS256\"}"), JoseError::bad_json},
    {"header_invalid_utf8", tok("{\"alg\":\"HS256\",\"kid\":\"\xFF\"}"), JoseError::bad_json},
    {"header_utf16", tok(test::bytes("{\0\"\0a\0l\0g\0\"\0:\0\"\0H\0S\0\"\0}\0")), JoseError::bad_json},
    {"header_too_deep", tok(R"({"alg":"HS256","x":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]})"),
     JoseError::bad_json},
    {"duplicate_alg", tok(R"({"alg":"HS256","alg":"none"})"), JoseError::duplicate_member},
    {"duplicate_alg_reverse", tok(R"({"alg":"none","alg":"HS256"})"), JoseError::duplicate_member},
    {"duplicate_kid", tok(R"({"alg":"HS256","kid":"a","kid":"b"})"), JoseError::duplicate_member},
    {"duplicate_nested", tok(R"({"alg":"HS256","jwk":{"kty":"RSA","kty":"EC"}})"),
     JoseError::duplicate_member},
    // alg
    {"alg_missing", tok(R"({"kid":"k"})"), JoseError::bad_header},
    {"alg_number", tok(R"({"alg":256})"), JoseError::bad_header},
    {"alg_null", tok(R"({"alg":null})"), JoseError::bad_header},
    {"alg_array", tok(R"({"alg":["HS256"]})"), JoseError::bad_header},
    {"alg_none", tok(R"({"alg":"none"})"), JoseError::alg_none},
    {"alg_None", tok(R"({"alg":"None"})"), JoseError::alg_none},
    {"alg_NONE", tok(R"({"alg":"NONE"})"), JoseError::alg_none},
    {"alg_nOnE", tok(R"({"alg":"nOnE"})"), JoseError::alg_none},
    {"alg_none_escaped", tok(R"({"alg":"\u006eone"})"), JoseError::alg_none},
    {"alg_lowercase", tok(R"({"alg":"hs256"})"), JoseError::alg_unsupported},
    {"alg_trailing_space", tok(R"({"alg":"HS256 "})"), JoseError::alg_unsupported},
    {"alg_empty", tok(R"({"alg":""})"), JoseError::alg_unsupported},
    {"alg_es256k", tok(R"({"alg":"ES256K"})"), JoseError::alg_unsupported},
    {"alg_rsa_oaep", tok(R"({"alg":"RSA-OAEP"})"), JoseError::alg_unsupported},
    {"alg_hs1", tok(R"({"alg":"HS1"})"), JoseError::alg_unsupported},
    // other parameters
    {"kid_number", tok(R"({"alg":"HS256","kid":1})"), JoseError::bad_header},
    {"kid_null", tok(R"({"alg":"HS256","kid":null})"), JoseError::bad_header},
    {"typ_array", tok(R"({"alg":"HS256","typ":["JWT"]})"), JoseError::bad_header},
    {"cty_object", tok(R"({"alg":"HS256","cty":{}})"), JoseError::bad_header},
    // crit (RFC 7515 section 4.1.11): nothing understood, malformed or not
    {"crit_unknown",
     tok(R"({"alg":"ES256","crit":["http://example.invalid/UNDEFINED"],)"
         R"("http://example.invalid/UNDEFINED":true})"),
     JoseError::crit_unsupported},
    {"crit_b64", tok(R"({"alg":"HS256","b64":false,"crit":["b64"]})"), JoseError::crit_unsupported},
    {"crit_empty", tok(R"({"alg":"HS256","crit":[]})"), JoseError::crit_unsupported},
    {"crit_registered", tok(R"({"alg":"HS256","crit":["alg"]})"), JoseError::crit_unsupported},
    {"crit_string", tok(R"({"alg":"HS256","crit":"b64"})"), JoseError::crit_unsupported},
    {"crit_absent_member", tok(R"({"alg":"HS256","crit":["exp"]})"), JoseError::crit_unsupported},
    {"crit_null", tok(R"({"alg":"HS256","crit":null})"), JoseError::crit_unsupported},
    // nested JWT (RFC 7519 section 5.2)
    {"cty_JWT", tok(R"({"alg":"HS256","cty":"JWT"})"), JoseError::nested_jwt},
    {"cty_jwt", tok(R"({"alg":"HS256","cty":"jwt"})"), JoseError::nested_jwt},
    {"cty_application_jwt", tok(R"({"alg":"HS256","cty":"application/jwt"})"), JoseError::nested_jwt},
    {"cty_Application_JWT", tok(R"({"alg":"HS256","cty":"Application/JWT"})"), JoseError::nested_jwt},
    {"cty_json_fine", tok(R"({"alg":"HS256","cty":"application/json"})"), std::nullopt},
};

INSTANTIATE_TEST_SUITE_P(Cases, ParseJws, ::testing::ValuesIn(kParseCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseJwsSize, LimitCheckedFirst) {
    const std::string good = tok(R"({"alg":"HS256"})");
    EXPECT_TRUE(parse_jws(good, good.size()).ok());
    EXPECT_EQ(parse_jws(good, good.size() - 1).error(), JoseError::too_large);
    // Garbage over the limit is too_large, not malformed: nothing else ran.
    EXPECT_EQ(parse_jws(std::string(kDefaultMaxTokenBytes + 1, '!')).error(), JoseError::too_large);
    EXPECT_EQ(parse_jws(std::string(100 * 1024, 'A')).error(), JoseError::too_large);
    EXPECT_EQ(parse_jws(std::string(kDefaultMaxTokenBytes, '!')).error(), JoseError::malformed);
}

TEST(ParseJwsFields, Populated) {
    const std::string header = R"({"alg":"ES384","kid":"key \"1\"","typ":"at+jwt","cty":"json"})";
    const std::string payload = R"({"sub":"x"})";
    const std::string token = b64(header) + "." + b64(payload) + "." + kSig;
    auto r = parse_jws(token);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->header.alg, SigAlg::es384);
    EXPECT_EQ(r->header.kid, "key \"1\"");
    EXPECT_EQ(r->header.typ, "at+jwt");
    EXPECT_EQ(r->header.cty, "json");
    EXPECT_TRUE(r->header.crit.empty());
    EXPECT_EQ(r->header_json, header);
    EXPECT_EQ(r->payload, payload);
    EXPECT_EQ(r->signature, "signature-bytes");
    EXPECT_EQ(r->signing_input, b64(header) + "." + b64(payload));
}

TEST(ParseJwsFields, EveryImplementedAlgorithmName) {
    for (SigAlg a : kAllAlgs) {
        auto r = parse_jws(tok(std::string(R"({"alg":")") + crypto::jose_name(a) + "\"}"));
        ASSERT_TRUE(r.ok()) << crypto::jose_name(a);
        EXPECT_EQ(r->header.alg, a);
    }
}

}  // namespace
}  // namespace gk::jose
