// Parsed JSON lives in an arena its value owns (strict_json.cpp): values
// outlive the text they came from and the Claims they were parsed into, and
// copies stay valid after the original is gone, at every level of nesting.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "gatekeeper/jose/claims.hpp"
#include "jose/strict_json.hpp"

namespace gk::jose {
namespace {

std::string payload() {
    return R"({"iss":"https://id.example.test/realms/corp","sub":"5f0c2f6e-3b7a-4c1e-9d2a-8b1f0e7c6d54",)"
           R"("aud":["api","account"],"exp":1800000300,"scope":"openid read write",)"
           R"("realm_access":{"roles":["admins","staff","a-role-name-longer-than-any-small-buffer"]}})";
}

TEST(ClaimsArena, OutliveTextAndOriginal) {
    std::optional<Claims> copy;
    {
        auto text = std::make_unique<std::string>(payload());
        auto parsed = parse_claims(*text);
        ASSERT_TRUE(parsed.ok());
        text.reset();  // the JSON text is gone
        copy = *parsed;
    }  // and the Claims it was parsed into
    EXPECT_EQ(copy->iss, "https://id.example.test/realms/corp");
    EXPECT_EQ(copy->raw.at("sub").as_string(), "5f0c2f6e-3b7a-4c1e-9d2a-8b1f0e7c6d54");
    const auto roles = claim_strings(*copy, "realm_access.roles");
    ASSERT_EQ(roles.size(), 3u);
    EXPECT_EQ(roles[2], "a-role-name-longer-than-any-small-buffer");
    Claims moved = std::move(*copy);
    copy.reset();
    EXPECT_EQ(claim_strings(moved, "aud").size(), 2u);
    EXPECT_EQ(*moved.exp, 1800000300);
}

TEST(ClaimsArena, ManyParsesStayIndependent) {
    // Each parse has its own arena: values from one never change with another.
    std::vector<boost::json::object> kept;
    for (int i = 0; i < 50; ++i) {
        auto o = detail::parse_object(R"({"n":)" + std::to_string(i) + R"(,"s":")" + std::string(40, 'a' + i % 26) + "\"}");
        ASSERT_TRUE(o.ok());
        kept.push_back(std::move(*o));
    }
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(kept[static_cast<std::size_t>(i)].at("n").as_int64(), i);
        EXPECT_EQ(kept[static_cast<std::size_t>(i)].at("s").as_string(), std::string(40, 'a' + i % 26));
    }
}

}  // namespace
}  // namespace gk::jose
