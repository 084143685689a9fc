// parse_claims: strict JSON and the registered claims' types (RFC 7519
// section 4), scope/scp (RFC 9068 section 2.2.3).
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

struct ClaimsCase {
    const char* name;
    const char* json;
    std::optional<JoseError> error;
};

class ParseClaims : public ::testing::TestWithParam<ClaimsCase> {};

TEST_P(ParseClaims, Verdict) {
    const auto& c = GetParam();
    auto r = parse_claims(c.json);
    if (!c.error) {
        EXPECT_TRUE(r.ok()) << to_string(r.error());
    } else {
        ASSERT_FALSE(r.ok()) << "accepted";
        EXPECT_EQ(r.error(), *c.error) << to_string(r.error());
    }
}

const ClaimsCase kClaimsCases[] = {
    {"empty", "{}", std::nullopt},
    {"typical", R"({"iss":"i","sub":"s","aud":"a","exp":1,"nbf":0,"iat":0,"jti":"j","scope":"a b"})",
     std::nullopt},
    {"unknown_claims_any_type", R"({"x":[1,{"y":null}],"http://example.com/is_root":true})", std::nullopt},
    {"not_json", "Payload", JoseError::bad_json},
    {"array", "[]", JoseError::bad_json},
    {"duplicate_sub", R"({"sub":"alice","sub":"admin","exp":4102444800})", JoseError::duplicate_member},
    {"duplicate_exp", R"({"exp":1,"exp":4102444800})", JoseError::duplicate_member},
    {"duplicate_nested", R"({"realm_access":{"roles":[],"roles":["admin"]}})", JoseError::duplicate_member},
    // NumericDate
    {"exp_string", R"({"exp":"4102444800"})", JoseError::bad_claim},
    {"exp_null", R"({"exp":null})", JoseError::bad_claim},
    {"exp_bool", R"({"exp":true})", JoseError::bad_claim},
    {"exp_array", R"({"exp":[1]})", JoseError::bad_claim},
    {"exp_object", R"({"exp":{}})", JoseError::bad_claim},
    {"exp_too_big_uint", R"({"exp":18446744073709551615})", JoseError::bad_claim},
    {"exp_too_big_double", R"({"exp":1e30})", JoseError::bad_claim},
    {"exp_2_pow_63", R"({"exp":9223372036854775808.0})", JoseError::bad_claim},
    {"exp_int64_max", R"({"exp":9223372036854775807})", std::nullopt},
    {"exp_negative", R"({"exp":-1})", std::nullopt},
    {"exp_fraction", R"({"exp":1.5})", std::nullopt},
    {"exp_exponent", R"({"exp":4.1e9})", std::nullopt},
    {"nbf_string", R"({"nbf":"0"})", JoseError::bad_claim},
    {"nbf_bool", R"({"nbf":true})", JoseError::bad_claim},
    {"iat_string", R"({"iat":"now"})", JoseError::bad_claim},
    // StringOrURI claims
    {"iss_number", R"({"iss":1})", JoseError::bad_claim},
    {"iss_array", R"({"iss":["a"]})", JoseError::bad_claim},
    {"sub_null", R"({"sub":null})", JoseError::bad_claim},
    {"jti_number", R"({"jti":1})", JoseError::bad_claim},
    {"aud_object", R"({"aud":{"x":1}})", JoseError::bad_claim},
    {"aud_number", R"({"aud":1})", JoseError::bad_claim},
    {"aud_null", R"({"aud":null})", JoseError::bad_claim},
    {"aud_array_with_number", R"({"aud":["a",1]})", JoseError::bad_claim},
    {"aud_nested_array", R"({"aud":[["a"]]})", JoseError::bad_claim},
    {"aud_empty_array", R"({"aud":[]})", std::nullopt},
    // scopes
    {"scope_array", R"({"scope":["a"]})", JoseError::bad_claim},
    {"scope_number", R"({"scope":1})", JoseError::bad_claim},
    {"scp_number", R"({"scp":1})", JoseError::bad_claim},
    {"scp_array_with_number", R"({"scp":["a",2]})", JoseError::bad_claim},
};

INSTANTIATE_TEST_SUITE_P(Cases, ParseClaims, ::testing::ValuesIn(kClaimsCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseClaimsValues, RegisteredClaims) {
    auto c =
        parse_claims(R"({"iss":"https://issuer.example","sub":"alice","aud":["api","web"],"exp":1700000600,)"
                     R"("nbf":1699999000.9,"iat":-5.7,"jti":"id-1","email":"a@example.com"})");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->iss, "https://issuer.example");
    EXPECT_EQ(c->sub, "alice");
    EXPECT_EQ(c->aud, (std::vector<std::string>{"api", "web"}));
    EXPECT_EQ(c->exp, 1700000600);
    EXPECT_EQ(c->nbf, 1699999000);  // truncated
    EXPECT_EQ(c->iat, -5);          // toward zero
    EXPECT_EQ(c->jti, "id-1");
    EXPECT_EQ(c->raw.at("email"), "a@example.com");
    EXPECT_EQ(c->raw.size(), 8u);
}

TEST(ParseClaimsValues, AbsentClaims) {
    auto c = parse_claims("{}");
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c->iss.empty());
    EXPECT_TRUE(c->aud.empty());
    EXPECT_FALSE(c->exp.has_value());
    EXPECT_FALSE(c->nbf.has_value());
    EXPECT_FALSE(c->iat.has_value());
    EXPECT_TRUE(c->scopes.empty());
}

TEST(ParseClaimsValues, AudString) {
    EXPECT_EQ(parse_claims(R"({"aud":"api"})")->aud, (std::vector<std::string>{"api"}));
}

TEST(ParseClaimsValues, Scopes) {
    using V = std::vector<std::string>;
    EXPECT_EQ(parse_claims(R"({"scope":"read  write admin "})")->scopes, (V{"read", "write", "admin"}));
    EXPECT_EQ(parse_claims(R"({"scope":""})")->scopes, V{});
    EXPECT_EQ(parse_claims(R"({"scp":"read"})")->scopes, (V{"read"}));
    EXPECT_EQ(parse_claims(R"({"scp":["read","write"]})")->scopes, (V{"read", "write"}));
    EXPECT_EQ(parse_claims(R"({"scope":"read write","scp":["write","admin"]})")->scopes,
              (V{"read", "write", "admin"}));
}

}  // namespace
}  // namespace gk::jose
