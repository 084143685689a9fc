// Revocation (RFC 7009) and introspection (RFC 7662).
#include <set>

#include "oauth_test_util.hpp"

namespace gk::issuer::test {
namespace {

class OauthRevokeIntrospect : public OauthFixture {
protected:
    struct Tokens {
        std::string access, refresh;
    };
    Tokens user_tokens() {
        auto b = body_of(redeem_web(code_for("web", "https://app.example/cb")));
        return {str(b, "access_token"), str(b, "refresh_token")};
    }
    std::string svc_token() {
        return str(body_of(token_endpoint(form({{"grant_type", "client_credentials"}}),
                                          basic("svc", "svc-secret"), kNow, issuer())),
                   "access_token");
    }
    RevokeResult revoke_as(const std::string& client, const std::string& token, std::int64_t at = kNow,
                           const std::string& hint = "") {
        std::vector<std::pair<std::string, std::string>> p{{"token", token}};
        if (!hint.empty()) p.emplace_back("token_type_hint", hint);
        return revoke(form(p), basic(client, client + "-secret"), at, issuer());
    }
    boost::json::object introspect_as(const std::string& client, const std::string& token,
                                      std::int64_t at = kNow) {
        auto r = introspect(form({{"token", token}}), basic(client, client + "-secret"), at, issuer(),
                            [this](std::string_view jti) { return revoked_.count(std::string(jti)) != 0; });
        EXPECT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(header(r, "Cache-Control"), "no-store");
        return body_of(r);
    }
    std::set<std::string> revoked_;
};

TEST_F(OauthRevokeIntrospect, IntrospectActiveUserAccessToken) {
    auto t = user_tokens();
    auto o = introspect_as("svc", t.access);
    EXPECT_TRUE(o.at("active").as_bool());
    EXPECT_EQ(str(o, "scope"), "read write");
    EXPECT_EQ(str(o, "client_id"), "web");
    EXPECT_EQ(str(o, "username"), "alice");
    EXPECT_EQ(str(o, "sub"), "alice");
    EXPECT_EQ(str(o, "iss"), "https://gw.example");
    EXPECT_EQ(str(o, "aud"), "https://api.example");
    EXPECT_EQ(str(o, "token_type"), "Bearer");
    EXPECT_EQ(o.at("exp").as_int64(), kNow + 600);
    EXPECT_EQ(o.at("iat").as_int64(), kNow);
    EXPECT_FALSE(str(o, "jti").empty());
}

TEST_F(OauthRevokeIntrospect, IntrospectClientTokenHasNoUsername) {
    auto o = introspect_as("web", svc_token());
    EXPECT_TRUE(o.at("active").as_bool());
    EXPECT_EQ(str(o, "sub"), "svc");
    EXPECT_FALSE(o.contains("username"));
}

TEST_F(OauthRevokeIntrospect, IntrospectRefreshToken) {
    auto t = user_tokens();
    auto o = introspect_as("svc", t.refresh);
    EXPECT_TRUE(o.at("active").as_bool());
    EXPECT_EQ(str(o, "token_type"), "refresh_token");
    EXPECT_EQ(str(o, "client_id"), "web");
    EXPECT_EQ(str(o, "username"), "alice");
    EXPECT_EQ(o.at("exp").as_int64(), kNow + 30 * 24 * 3600);
    // Used (rotated) -> inactive.
    ASSERT_EQ(refresh_web(t.refresh, kNow + 1).status, 200);
    EXPECT_FALSE(introspect_as("svc", t.refresh).at("active").as_bool());
}

TEST_F(OauthRevokeIntrospect, InactiveIsOnlyActiveFalse) {
    auto t = user_tokens();
    for (const auto& [name, token, at] : std::vector<std::tuple<std::string, std::string, std::int64_t>>{
             {"expired access", t.access, kNow + 600},
             {"expired refresh", t.refresh, kNow + 30 * 24 * 3600},
             {"unknown refresh", "gkr_nope", kNow},
             {"garbage", "not.a.jwt", kNow},
             {"empty-ish", "x", kNow}}) {
        SCOPED_TRACE(name);
        auto o = introspect_as("svc", token, at);
        EXPECT_FALSE(o.at("active").as_bool());
        EXPECT_EQ(o.size(), 1u);
    }
    // Signed by a key not in the ring.
    auto other_key = create_signing_key(crypto::SigAlg::es256, kNow - 10, kNow - 10);
    auto other_ring = KeyRing::build({*other_key}, kNow);
    auto foreign = mint_access_token({"alice", "web", "read", {}, "", true}, kNow, *other_ring, settings_);
    ASSERT_TRUE(foreign.ok());
    EXPECT_FALSE(introspect_as("svc", foreign->token).at("active").as_bool());
    // Another issuer name.
    Settings other = settings_;
    other.issuer = "https://other.example";
    auto wrong_iss = mint_access_token({"alice", "web", "read", {}, "", true}, kNow, *ring_, other);
    EXPECT_FALSE(introspect_as("svc", wrong_iss->token).at("active").as_bool());
}

TEST_F(OauthRevokeIntrospect, IntrospectNeedsAConfidentialClient) {
    auto t = user_tokens();
    auto pub =
        introspect(form({{"token", t.access}, {"client_id", "spa"}}), std::nullopt, kNow, issuer(), nullptr);
    EXPECT_EQ(pub.status, 400);
    EXPECT_EQ(str(body_of(pub), "error"), "unauthorized_client");
    auto none = introspect(form({{"token", t.access}}), std::nullopt, kNow, issuer(), nullptr);
    EXPECT_EQ(str(body_of(none), "error"), "invalid_client");
    auto wrong = introspect(form({{"token", t.access}}), basic("svc", "x"), kNow, issuer(), nullptr);
    EXPECT_EQ(wrong.status, 401);
    auto missing = introspect(form({}), basic("svc", "svc-secret"), kNow, issuer(), nullptr);
    EXPECT_EQ(str(body_of(missing), "error"), "invalid_request");
}

TEST_F(OauthRevokeIntrospect, RevokeRefreshTokenRevokesTheFamily) {
    auto t = user_tokens();
    auto rt2 = str(body_of(refresh_web(t.refresh, kNow + 1)), "refresh_token");
    auto r = revoke_as("web", rt2, kNow + 2, "refresh_token");
    EXPECT_EQ(r.response.status, 200);
    EXPECT_EQ(header(r.response, "Cache-Control"), "no-store");
    ASSERT_TRUE(r.family_id.has_value());
    EXPECT_FALSE(r.access.has_value());
    EXPECT_EQ(str(body_of(refresh_web(rt2, kNow + 3)), "error"), "invalid_grant");
    EXPECT_FALSE(introspect_as("svc", rt2, kNow + 3).at("active").as_bool());
}

TEST_F(OauthRevokeIntrospect, RevokeAccessTokenReturnsJtiAndExp) {
    auto t = user_tokens();
    auto r = revoke_as("web", t.access, kNow + 5, "refresh_token");  // a wrong hint is ignored
    EXPECT_EQ(r.response.status, 200);
    ASSERT_TRUE(r.access.has_value());
    EXPECT_EQ(r.access->exp, kNow + 600);
    auto listed = store_->revoked_jtis(kNow + 5);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].first, r.access->jti);
    EXPECT_EQ((*listed)[0].second, kNow + 600);
    revoked_.insert(r.access->jti);
    EXPECT_FALSE(introspect_as("svc", t.access, kNow + 6).at("active").as_bool());
}

TEST_F(OauthRevokeIntrospect, RevokeUnknownExpiredAndForeign) {
    auto t = user_tokens();
    for (const auto& token : {std::string("gkr_nope"), std::string("garbage")}) {
        auto r = revoke_as("web", token);
        EXPECT_EQ(r.response.status, 200);
        EXPECT_FALSE(r.access || r.family_id);
    }
    auto expired = revoke_as("web", t.access, kNow + 600);
    EXPECT_EQ(expired.response.status, 200);
    EXPECT_FALSE(expired.access.has_value());
    // Tokens of another client: refused, nothing revoked.
    auto a = revoke_as("svc", t.access);
    EXPECT_EQ(str(body_of(a.response), "error"), "unauthorized_client");
    auto b = revoke_as("svc", t.refresh);
    EXPECT_EQ(str(body_of(b.response), "error"), "unauthorized_client");
    EXPECT_EQ(refresh_web(t.refresh, kNow + 1).status, 200);
}

TEST_F(OauthRevokeIntrospect, RevokeAuthErrors) {
    auto wrong = revoke(form({{"token", "x"}}), basic("web", "nope"), kNow, issuer());
    EXPECT_EQ(wrong.response.status, 401);
    EXPECT_FALSE(header(wrong.response, "WWW-Authenticate").empty());
    auto missing = revoke(form({}), basic("web", "web-secret"), kNow, issuer());
    EXPECT_EQ(str(body_of(missing.response), "error"), "invalid_request");
    // A public client may revoke its own refresh token.
    auto b = body_of(token_endpoint(form({{"grant_type", "authorization_code"},
                                          {"client_id", "spa"},
                                          {"code", code_for("spa", "https://spa.example/cb")},
                                          {"redirect_uri", "https://spa.example/cb"},
                                          {"code_verifier", kVerifier}}),
                                    std::nullopt, kNow, issuer()));
    auto pub = revoke(form({{"token", str(b, "refresh_token")}, {"client_id", "spa"}}), std::nullopt, kNow,
                      issuer());
    EXPECT_EQ(pub.response.status, 200);
    EXPECT_TRUE(pub.family_id.has_value());
}

}  // namespace
}  // namespace gk::issuer::test
