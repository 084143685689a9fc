// The token endpoint: client_credentials and authorization_code grants, and
// the generic error paths. Refresh tokens: oauth_refresh_test.cpp.
#include <chrono>

#include "gatekeeper/jose/jwt.hpp"
#include "oauth_test_util.hpp"

namespace gk::issuer::test {
namespace {

class OauthToken : public OauthFixture {
protected:
    jose::Claims verify(const std::string& token) {
        jose::JwtRules rules;
        rules.typ = "at+jwt";
        rules.claims.issuer = settings_.issuer;
        rules.claims.audiences = settings_.audiences;
        auto c = jose::verify_jwt(token, ring_->verification_keys(), rules,
                                  std::chrono::system_clock::time_point(std::chrono::seconds(kNow)));
        EXPECT_TRUE(c.ok()) << (c.ok() ? "" : jose::to_string(c.error()));
        return c.ok() ? *c : jose::Claims{};
    }
    Response cc(std::vector<std::pair<std::string, std::string>> p, const std::string& client = "svc") {
        p.emplace_back("grant_type", "client_credentials");
        return token_endpoint(form(p), basic(client, client + "-secret"), kNow, issuer());
    }
};

TEST_F(OauthToken, ClientCredentialsDefaultsToAllScopes) {
    auto r = cc({});
    ASSERT_EQ(r.status, 200) << r.body;
    auto b = body_of(r);
    EXPECT_EQ(str(b, "token_type"), "Bearer");
    EXPECT_EQ(b.at("expires_in").as_int64(), 600);
    EXPECT_EQ(str(b, "scope"), "read write admin");
    EXPECT_FALSE(b.contains("refresh_token"));
    EXPECT_EQ(header(r, "Cache-Control"), "no-store");
    EXPECT_EQ(header(r, "Pragma"), "no-cache");

    auto jws = jose::parse_jws(str(b, "access_token"));
    ASSERT_TRUE(jws.ok());
    EXPECT_EQ(jws->header.typ, "at+jwt");
    EXPECT_EQ(jws->header.kid, ring_->signer_kid());
    auto c = verify(str(b, "access_token"));
    EXPECT_EQ(c.sub, "svc");
    EXPECT_EQ(c.iss, "https://gw.example");
    EXPECT_EQ(c.aud, std::vector<std::string>{"https://api.example"});
    EXPECT_EQ(c.iat, kNow);
    EXPECT_EQ(c.exp, kNow + 600);
    EXPECT_GE(c.jti.size(), 22u);  // 128 bits base64url
    EXPECT_EQ(jose::claim_strings(c, "client_id"), std::vector<std::string>{"svc"});
    EXPECT_FALSE(c.raw.contains("groups"));
}

TEST_F(OauthToken, ClientCredentialsScopeSubsetAndWidening) {
    auto ok = cc({{"scope", "read"}});
    ASSERT_EQ(ok.status, 200);
    EXPECT_EQ(str(body_of(ok), "scope"), "read");
    auto wide = cc({{"scope", "read root"}});
    EXPECT_EQ(wide.status, 400);
    EXPECT_EQ(str(body_of(wide), "error"), "invalid_scope");
    auto bad = cc({{"scope", "read  write"}});
    EXPECT_EQ(str(body_of(bad), "error"), "invalid_scope");
}

TEST_F(OauthToken, JtiIsFreshEachTime) {
    auto a = verify(str(body_of(cc({})), "access_token"));
    auto b = verify(str(body_of(cc({})), "access_token"));
    EXPECT_NE(a.jti, b.jti);
}

TEST_F(OauthToken, GenericErrors) {
    struct Case {
        const char* name;
        std::vector<std::pair<std::string, std::string>> body;
        std::string client;
        const char* error;
    };
    const std::vector<Case> cases = {
        {"no grant_type", {}, "svc", "invalid_request"},
        {"unknown grant", {{"grant_type", "password"}}, "svc", "unsupported_grant_type"},
        {"implicit", {{"grant_type", "implicit"}}, "web", "unsupported_grant_type"},
        {"duplicate grant_type",
         {{"grant_type", "client_credentials"}, {"grant_type", "client_credentials"}},
         "svc",
         "invalid_request"},
        {"duplicate scope",
         {{"grant_type", "client_credentials"}, {"scope", "read"}, {"scope", "read"}},
         "svc",
         "invalid_request"},
        {"grant not registered",
         {{"grant_type", "authorization_code"}, {"code", "x"}},
         "svc",
         "unauthorized_client"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = token_endpoint(form(c.body), basic(c.client, c.client + "-secret"), kNow, issuer());
        EXPECT_EQ(r.status, 400);
        EXPECT_EQ(str(body_of(r), "error"), c.error);
        EXPECT_FALSE(str(body_of(r), "error_description").empty());
    }
}

TEST_F(OauthToken, PublicClientMayNotUseClientCredentials) {
    put({"spa2", "", "SPA2", {"https://spa.example/cb"}, {"read"}, {"client_credentials"}, kNow});
    auto r = token_endpoint(form({{"grant_type", "client_credentials"}, {"client_id", "spa2"}}), std::nullopt,
                            kNow, issuer());
    EXPECT_EQ(str(body_of(r), "error"), "unauthorized_client");
}

TEST_F(OauthToken, AuthorizationCodeIssuesUserTokenAndRefresh) {
    const auto code = code_for("web", "https://app.example/cb", "alice", "read");
    ASSERT_TRUE(code.starts_with("gkc_"));
    auto r = redeem_web(code);
    ASSERT_EQ(r.status, 200) << r.body;
    auto b = body_of(r);
    EXPECT_EQ(str(b, "scope"), "read");
    EXPECT_TRUE(str(b, "refresh_token").starts_with("gkr_"));
    auto c = verify(str(b, "access_token"));
    EXPECT_EQ(c.sub, "alice");
    EXPECT_EQ(jose::claim_strings(c, "groups"), std::vector<std::string>{"admins"});
    EXPECT_EQ(jose::claim_strings(c, "email"), std::vector<std::string>{"alice@example.com"});
    EXPECT_EQ(jose::claim_strings(c, "client_id"), std::vector<std::string>{"web"});
}

TEST_F(OauthToken, PublicClientRedeemsWithPkceOnly) {
    const auto code = code_for("spa", "https://spa.example/cb");
    auto r = token_endpoint(form({{"grant_type", "authorization_code"},
                                  {"client_id", "spa"},
                                  {"code", code},
                                  {"redirect_uri", "https://spa.example/cb"},
                                  {"code_verifier", kVerifier}}),
                            std::nullopt, kNow, issuer());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(str(body_of(r), "scope"), "read");
    EXPECT_FALSE(str(body_of(r), "refresh_token").empty());
}

TEST_F(OauthToken, CodeIsSingleUse) {
    const auto code = code_for("web", "https://app.example/cb");
    EXPECT_EQ(redeem_web(code).status, 200);
    auto again = redeem_web(code);
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(str(body_of(again), "error"), "invalid_grant");
}

TEST_F(OauthToken, CodeErrors) {
    struct Case {
        const char* name;
        std::string redirect;
        std::string verifier;
        std::int64_t at;
        const char* error;
        bool code_spent;  // a failed redemption after take_code spends it
    };
    const std::string other_verifier(43, 'a');
    const std::vector<Case> cases = {
        {"wrong verifier", "https://app.example/cb", other_verifier, kNow, "invalid_grant", true},
        {"short verifier", "https://app.example/cb", std::string(42, 'a'), kNow, "invalid_request", false},
        {"long verifier", "https://app.example/cb", std::string(129, 'a'), kNow, "invalid_request", false},
        {"verifier bad char", "https://app.example/cb", std::string(42, 'a') + "+", kNow, "invalid_request",
         false},
        {"no verifier", "https://app.example/cb", "", kNow, "invalid_request", false},
        {"redirect mismatch", "https://app.example/cb2", kVerifier, kNow, "invalid_grant", true},
        {"no redirect", "", kVerifier, kNow, "invalid_request", false},
        {"expired", "https://app.example/cb", kVerifier, kNow + 60, "invalid_grant", true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto code = code_for("web", "https://app.example/cb");
        auto r = token_endpoint(form({{"grant_type", "authorization_code"},
                                      {"code", code},
                                      {"redirect_uri", c.redirect},
                                      {"code_verifier", c.verifier}}),
                                basic("web", "web-secret"), c.at, issuer());
        EXPECT_EQ(r.status, 400);
        EXPECT_EQ(str(body_of(r), "error"), c.error);
        EXPECT_EQ(redeem_web(code).status, c.code_spent ? 400 : 200);
    }
}

TEST_F(OauthToken, CodeOfAnotherClientIsRefusedAndSpent) {
    const auto code = code_for("spa", "https://spa.example/cb");
    auto r = token_endpoint(form({{"grant_type", "authorization_code"},
                                  {"code", code},
                                  {"redirect_uri", "https://spa.example/cb"},
                                  {"code_verifier", kVerifier}}),
                            basic("web", "web-secret"), kNow, issuer());
    EXPECT_EQ(str(body_of(r), "error"), "invalid_grant");
}

TEST_F(OauthToken, UnknownCodeAndDisabledOrMissingUser) {
    EXPECT_EQ(str(body_of(redeem_web("gkc_nope")), "error"), "invalid_grant");
    EXPECT_EQ(str(body_of(redeem_web(code_for("web", "https://app.example/cb", "bob"))), "error"),
              "invalid_grant");
    EXPECT_EQ(str(body_of(redeem_web(code_for("web", "https://app.example/cb", "carol"))), "error"),
              "invalid_grant");
    const auto code = code_for("web", "https://app.example/cb");
    users_.up = false;
    EXPECT_EQ(redeem_web(code).status, 503);
}

TEST_F(OauthToken, WithoutUserDirectoryNoGroupsLookup) {
    const auto code = code_for("web", "https://app.example/cb", "carol");
    Issuer bare{*store_, *ring_, settings_, nullptr};
    auto r = token_endpoint(form({{"grant_type", "authorization_code"},
                                  {"code", code},
                                  {"redirect_uri", "https://app.example/cb"},
                                  {"code_verifier", kVerifier}}),
                            basic("web", "web-secret"), kNow, bare);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(verify(str(body_of(r), "access_token")).sub, "carol");
}

TEST_F(OauthToken, CodeAndRefreshAreStoredOnlyAsHashes) {
    const auto code = code_for("web", "https://app.example/cb");
    const auto refresh = str(body_of(redeem_web(code)), "refresh_token");
    auto found = store_->find_refresh(token_hash(refresh));
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->token_hash.size(), 64u);
    EXPECT_EQ((*found)->expires_at, kNow + 30 * 24 * 3600);
    const auto db = store::test::read_text(dir_ / "gk.db");
    EXPECT_EQ(db.find(refresh), std::string::npos);
}

// A client may have its own, shorter access-token lifetime (the demo SPA: 30 s),
// for every grant that issues to it; 0 keeps the issuer's.
TEST_F(OauthToken, ClientsOwnAccessTokenLifetimeForEveryGrant) {
    auto find = [&](const std::string& id) {
        auto c = store_->find_client(id);
        EXPECT_TRUE(c.ok() && c->has_value());
        return **c;
    };
    for (const char* id : {"web", "spa", "svc"}) {
        auto c = find(id);
        c.access_token_ttl = 30;
        put(c);
        EXPECT_EQ(find(id).access_token_ttl, 30) << "stored and read back: " << id;
    }
    auto check = [&](const Response& r, const char* what) {
        ASSERT_EQ(r.status, 200) << what << ": " << r.body;
        auto b = body_of(r);
        EXPECT_EQ(b.at("expires_in").as_int64(), 30) << what;
        auto c = verify(str(b, "access_token"));
        ASSERT_TRUE(c.exp && c.iat) << what;
        EXPECT_EQ(*c.exp - *c.iat, 30) << what;
    };
    check(cc({}), "client_credentials");
    auto first = redeem_web(code_for("web", "https://app.example/cb"));
    check(first, "authorization_code");
    check(refresh_web(str(body_of(first), "refresh_token"), kNow + 5), "refresh_token");

    auto svc = find("svc");
    svc.access_token_ttl = -1;
    EXPECT_FALSE(store_->put_client(svc).ok()) << "a negative lifetime is refused";
}


}  // namespace
}  // namespace gk::issuer::test
