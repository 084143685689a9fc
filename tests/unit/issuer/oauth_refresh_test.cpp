// The refresh_token grant: rotation, reuse detection, scope narrowing, expiry.
#include "oauth_test_util.hpp"

namespace gk::issuer::test {
namespace {

class OauthRefresh : public OauthFixture {
protected:
    std::string first_refresh(const std::string& scope = "read write") {
        auto r = redeem_web(code_for("web", "https://app.example/cb", "alice", scope));
        EXPECT_EQ(r.status, 200) << r.body;
        return str(body_of(r), "refresh_token");
    }
    std::string error_of(const Response& r) { return str(body_of(r), "error"); }
};

TEST_F(OauthRefresh, RotatesAndKeepsTheFamilyExpiry) {
    const auto rt1 = first_refresh();
    auto r = refresh_web(rt1, kNow + 100);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto rt2 = str(body_of(r), "refresh_token");
    EXPECT_TRUE(rt2.starts_with("gkr_"));
    EXPECT_NE(rt2, rt1);
    EXPECT_FALSE(str(body_of(r), "access_token").empty());
    auto rec1 = store_->find_refresh(token_hash(rt1));
    auto rec2 = store_->find_refresh(token_hash(rt2));
    ASSERT_TRUE(rec1.ok() && rec2.ok() && rec1->has_value() && rec2->has_value());
    EXPECT_TRUE((*rec1)->used);
    EXPECT_EQ((*rec2)->family_id, (*rec1)->family_id);
    EXPECT_EQ((*rec2)->expires_at, kNow + 30 * 24 * 3600);  // absolute, not now + ttl
    // The next rotation works as well.
    EXPECT_EQ(refresh_web(rt2, kNow + 200).status, 200);
}

TEST_F(OauthRefresh, ReuseRevokesTheWholeFamily) {
    const auto rt1 = first_refresh();
    const auto rt2 = str(body_of(refresh_web(rt1, kNow + 10)), "refresh_token");
    auto reuse = refresh_web(rt1, kNow + 20);
    EXPECT_EQ(reuse.status, 400);
    EXPECT_EQ(error_of(reuse), "invalid_grant");
    EXPECT_EQ(error_of(refresh_web(rt2, kNow + 30)),
              "invalid_grant");  // the attacker's or the victim's: both dead
}

TEST_F(OauthRefresh, ScopeMayNarrowButNotWiden) {
    const auto rt1 = first_refresh("read write");
    auto narrow = refresh_web(rt1, kNow + 10, "read");
    ASSERT_EQ(narrow.status, 200) << narrow.body;
    EXPECT_EQ(str(body_of(narrow), "scope"), "read");
    const auto rt2 = str(body_of(narrow), "refresh_token");
    // The new refresh token keeps the grant's scope (RFC 6749 6).
    auto back = refresh_web(rt2, kNow + 20, "read write");
    ASSERT_EQ(back.status, 200) << back.body;
    const auto rt3 = str(body_of(back), "refresh_token");

    auto wide = refresh_web(rt3, kNow + 30, "read write admin");
    EXPECT_EQ(error_of(wide), "invalid_scope");
    // A refused request does not spend the token.
    EXPECT_EQ(refresh_web(rt3, kNow + 40).status, 200);
}

TEST_F(OauthRefresh, ExpiredUnknownAndForeignTokens) {
    const auto rt = first_refresh();
    EXPECT_EQ(error_of(refresh_web("gkr_unknown", kNow)), "invalid_grant");
    EXPECT_EQ(error_of(refresh_web(rt, kNow + 30 * 24 * 3600)), "invalid_grant");

    const auto rt_b = first_refresh();
    put({"web2",
         password::hash_argon2id("web2-secret", store::test::cheap_argon2()),
         "Web2",
         {"https://app.example/cb"},
         {"read"},
         {"authorization_code", "refresh_token"},
         kNow});
    auto foreign = token_endpoint(form({{"grant_type", "refresh_token"}, {"refresh_token", rt_b}}),
                                  basic("web2", "web2-secret"), kNow + 5, issuer());
    EXPECT_EQ(error_of(foreign), "invalid_grant");
    EXPECT_EQ(refresh_web(rt_b, kNow + 6).status, 200);  // the owner's token is untouched
}

TEST_F(OauthRefresh, MissingTokenDisabledUserAndRevokedFamily) {
    EXPECT_EQ(error_of(token_endpoint(form({{"grant_type", "refresh_token"}}), basic("web", "web-secret"),
                                      kNow, issuer())),
              "invalid_request");
    const auto rt = first_refresh();
    users_.users["alice"].disabled = true;
    EXPECT_EQ(error_of(refresh_web(rt, kNow + 1)), "invalid_grant");
    users_.users["alice"].disabled = false;
    EXPECT_EQ(refresh_web(rt, kNow + 2).status, 200);  // refused before rotation: not spent

    const auto rt2 = first_refresh();
    auto rec = store_->find_refresh(token_hash(rt2));
    ASSERT_TRUE(rec.ok() && rec->has_value());
    ASSERT_TRUE(store_->revoke_family((*rec)->family_id).ok());
    EXPECT_EQ(error_of(refresh_web(rt2, kNow + 3)), "invalid_grant");
}

TEST_F(OauthRefresh, ClientWithoutRefreshGrantGetsNone) {
    put({"web3",
         password::hash_argon2id("web3-secret", store::test::cheap_argon2()),
         "Web3",
         {"https://app.example/cb"},
         {"read"},
         {"authorization_code"},
         kNow});
    const auto code = code_for("web3", "https://app.example/cb");
    auto r = token_endpoint(form({{"grant_type", "authorization_code"},
                                  {"code", code},
                                  {"redirect_uri", "https://app.example/cb"},
                                  {"code_verifier", kVerifier}}),
                            basic("web3", "web3-secret"), kNow, issuer());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(body_of(r).contains("refresh_token"));
}

}  // namespace
}  // namespace gk::issuer::test
