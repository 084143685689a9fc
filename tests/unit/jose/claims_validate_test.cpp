// validate_claims at a fixed clock (kNow), and claim_strings paths.
#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

constexpr std::int64_t T = kNowSeconds;

Claims claims(json::object o) { return parse_claims(json::serialize(o)).value(); }

json::object base() { return good_claims(); }
template <class F>
json::object edit(F&& f) {
    auto o = base();
    f(o);
    return o;
}

ClaimRules rules() {
    ClaimRules r;
    r.issuer = "https://issuer.example";
    r.audiences = {"api", "api2"};
    r.leeway = std::chrono::seconds(60);
    return r;
}

struct ValidateCase {
    const char* name;
    json::object claims;
    std::function<void(ClaimRules&)> rules;
    std::optional<JoseError> error;
};

void none(ClaimRules&) {}

TEST(ValidateClaims, Table) {
    const ValidateCase cases[] = {
        {"good", base(), none, std::nullopt},
        // exp: required, now >= exp + leeway is expired
        {"exp_missing", edit([](auto& o) { o.erase("exp"); }), none, JoseError::missing_claim},
        {"exp_missing_no_rules", edit([](auto& o) { o.erase("exp"); }), [](auto& r) { r = ClaimRules{}; },
         JoseError::missing_claim},
        {"expired_beyond_leeway", edit([](auto& o) { o["exp"] = T - 61; }), none, JoseError::expired},
        {"expired_at_leeway_edge", edit([](auto& o) { o["exp"] = T - 60; }), none, JoseError::expired},
        {"within_leeway", edit([](auto& o) { o["exp"] = T - 59; }), none, std::nullopt},
        {"exp_now_no_leeway", edit([](auto& o) { o["exp"] = T; }), [](auto& r) { r.leeway = {}; },
         JoseError::expired},
        {"exp_next_second_no_leeway", edit([](auto& o) { o["exp"] = T + 1; }), [](auto& r) { r.leeway = {}; },
         std::nullopt},
        {"exp_negative", edit([](auto& o) { o["exp"] = -1; }), none, JoseError::expired},
        {"exp_int64_max", edit([](auto& o) { o["exp"] = std::numeric_limits<std::int64_t>::max(); }), none,
         std::nullopt},
        {"exp_int64_min", edit([](auto& o) { o["exp"] = std::numeric_limits<std::int64_t>::min(); }), none,
         JoseError::expired},
        {"negative_leeway_is_zero", edit([](auto& o) { o["exp"] = T + 1; }),
         [](auto& r) { r.leeway = std::chrono::seconds(-100); }, std::nullopt},
        // nbf
        {"nbf_future_beyond_leeway", edit([](auto& o) { o["nbf"] = T + 61; }), none,
         JoseError::not_yet_valid},
        {"nbf_future_within_leeway", edit([](auto& o) { o["nbf"] = T + 60; }), none, std::nullopt},
        {"nbf_now", edit([](auto& o) { o["nbf"] = T; }), [](auto& r) { r.leeway = {}; }, std::nullopt},
        {"nbf_int64_min", edit([](auto& o) { o["nbf"] = std::numeric_limits<std::int64_t>::min(); }), none,
         std::nullopt},
        {"nbf_int64_max", edit([](auto& o) { o["nbf"] = std::numeric_limits<std::int64_t>::max(); }), none,
         JoseError::not_yet_valid},
        // iat
        {"iat_future_beyond_leeway", edit([](auto& o) { o["iat"] = T + 61; }), none,
         JoseError::issued_in_future},
        {"iat_future_within_leeway", edit([](auto& o) { o["iat"] = T + 60; }), none, std::nullopt},
        {"iat_absent", edit([](auto& o) { o.erase("iat"); }), none, std::nullopt},
        // max age (no leeway: the configured age is the bound)
        {"max_age_ok", edit([](auto& o) { o["iat"] = T - 300; }),
         [](auto& r) { r.max_age = std::chrono::seconds(300); }, std::nullopt},
        {"max_age_exceeded", edit([](auto& o) { o["iat"] = T - 301; }),
         [](auto& r) { r.max_age = std::chrono::seconds(300); }, JoseError::too_old},
        {"max_age_without_iat", edit([](auto& o) { o.erase("iat"); }),
         [](auto& r) { r.max_age = std::chrono::seconds(300); }, JoseError::missing_claim},
        {"max_age_iat_int64_min", edit([](auto& o) { o["iat"] = std::numeric_limits<std::int64_t>::min(); }),
         [](auto& r) { r.max_age = std::chrono::seconds(300); }, JoseError::too_old},
        // issuer: exact string
        {"issuer_wrong", edit([](auto& o) { o["iss"] = "https://evil.example"; }), none,
         JoseError::wrong_issuer},
        {"issuer_trailing_slash", edit([](auto& o) { o["iss"] = "https://issuer.example/"; }), none,
         JoseError::wrong_issuer},
        {"issuer_case", edit([](auto& o) { o["iss"] = "HTTPS://issuer.example"; }), none,
         JoseError::wrong_issuer},
        {"issuer_absent", edit([](auto& o) { o.erase("iss"); }), none, JoseError::wrong_issuer},
        {"issuer_empty_string", edit([](auto& o) { o["iss"] = ""; }), none, JoseError::wrong_issuer},
        {"issuer_not_configured", edit([](auto& o) { o["iss"] = "anyone"; }),
         [](auto& r) { r.issuer.clear(); }, std::nullopt},
        // audience: any of the configured ones, exact
        {"aud_second_configured", edit([](auto& o) { o["aud"] = "api2"; }), none, std::nullopt},
        {"aud_array_any_of", edit([](auto& o) {
             o["aud"] = json::array{"other", "api"};
         }),
         none, std::nullopt},
        {"aud_wrong", edit([](auto& o) { o["aud"] = "other-service"; }), none, JoseError::wrong_audience},
        {"aud_empty_array", edit([](auto& o) { o["aud"] = json::array{}; }), none, JoseError::wrong_audience},
        {"aud_padded", edit([](auto& o) {
             o["aud"] = json::array{"other", "api "};
         }),
         none, JoseError::wrong_audience},
        {"aud_case", edit([](auto& o) { o["aud"] = "API"; }), none, JoseError::wrong_audience},
        {"aud_absent", edit([](auto& o) { o.erase("aud"); }), none, JoseError::wrong_audience},
        {"aud_not_configured", edit([](auto& o) { o["aud"] = "x"; }), [](auto& r) { r.audiences.clear(); },
         std::nullopt},
        // required claims
        {"required_present", edit([](auto& o) { o["email"] = "a@b"; }),
         [](auto& r) { r.required = {"email", "sub"}; }, std::nullopt},
        {"required_missing", base(), [](auto& r) { r.required = {"email"}; }, JoseError::missing_claim},
        {"required_null_is_present", edit([](auto& o) { o["email"] = nullptr; }),
         [](auto& r) { r.required = {"email"}; }, std::nullopt},
        {"required_dotted", edit([](auto& o) {
             o["realm_access"] = json::object{{"roles", json::array{"a"}}};
         }),
         [](auto& r) { r.required = {"realm_access.roles"}; }, std::nullopt},
        {"required_dotted_missing", edit([](auto& o) { o["realm_access"] = json::object{}; }),
         [](auto& r) { r.required = {"realm_access.roles"}; }, JoseError::missing_claim},
        // fixed order: time before issuer before audience
        {"order_expired_first", edit([](auto& o) {
             o["exp"] = T - 1000;
             o["iss"] = "x";
             o["aud"] = "y";
         }),
         none, JoseError::expired},
        {"order_issuer_before_audience", edit([](auto& o) {
             o["iss"] = "x";
             o["aud"] = "y";
         }),
         none, JoseError::wrong_issuer},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        ClaimRules r = rules();
        c.rules(r);
        auto v = validate_claims(claims(c.claims), r, kNow);
        if (!c.error) {
            EXPECT_TRUE(v.ok()) << to_string(v.error());
        } else {
            ASSERT_FALSE(v.ok()) << "accepted";
            EXPECT_EQ(v.error(), *c.error) << to_string(v.error());
        }
    }
}

TEST(ValidateClaims, SubSecondClockIsFloored) {
    // exp = T + 1 is still valid at T + 0.999 s.
    ClaimRules r;
    r.leeway = {};
    const auto c = claims(json::object{{"exp", T + 1}});
    EXPECT_TRUE(validate_claims(c, r, kNow + std::chrono::milliseconds(999)).ok());
    EXPECT_EQ(validate_claims(c, r, kNow + std::chrono::seconds(1)).error(), JoseError::expired);
}

TEST(ClaimStrings, Paths) {
    const auto c = claims(json::object{
        {"email", "a@example.com"},
        {"groups", json::array{"dev", 7, "ops", nullptr, json::array{"x"}}},
        {"realm_access", json::object{{"roles", json::array{"admin", "user"}}}},
        {"resource_access", json::object{{"app.one", json::object{{"roles", json::array{"r1"}}}}}},
        {"https://example.com/groups", json::array{"g1", "g2"}},
        {"http://example.com/is_root", true},
        {"n", 5},
        {"obj", json::object{{"a", "b"}}},
    });
    using V = std::vector<std::string>;
    EXPECT_EQ(claim_strings(c, "email"), (V{"a@example.com"}));
    EXPECT_EQ(claim_strings(c, "groups"), (V{"dev", "ops"}));
    EXPECT_EQ(claim_strings(c, "realm_access.roles"), (V{"admin", "user"}));
    EXPECT_EQ(claim_strings(c, "resource_access.app.one.roles"), (V{"r1"}));
    EXPECT_EQ(claim_strings(c, "https://example.com/groups"), (V{"g1", "g2"}));
    EXPECT_EQ(claim_strings(c, "http://example.com/is_root"), V{});
    EXPECT_EQ(claim_strings(c, "n"), V{});
    EXPECT_EQ(claim_strings(c, "obj"), V{});
    EXPECT_EQ(claim_strings(c, "obj.a"), (V{"b"}));
    EXPECT_EQ(claim_strings(c, "missing"), V{});
    EXPECT_EQ(claim_strings(c, "realm_access.missing"), V{});
    EXPECT_EQ(claim_strings(c, "email.x"), V{});
    EXPECT_EQ(claim_strings(c, ""), V{});
    EXPECT_EQ(claim_strings(c, "."), V{});
}

}  // namespace
}  // namespace gk::jose
