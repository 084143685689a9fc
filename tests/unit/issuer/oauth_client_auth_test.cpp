// Client authentication (RFC 6749 2.3.1) through authenticate_client and the
// token endpoint's error responses.
#include "oauth_test_util.hpp"

namespace gk::issuer::test {
namespace {

class OauthClientAuth : public OauthFixture {};

struct AuthCase {
    const char* name;
    std::vector<std::pair<std::string, std::string>> body;
    std::optional<std::string> authorization;
    bool ok;
    OAuthErrorCode error = OAuthErrorCode::invalid_client;
    bool challenge = false;
    ClientAuthMethod method = ClientAuthMethod::none;
};

TEST_F(OauthClientAuth, Table) {
    const std::vector<AuthCase> cases = {
        {"basic", {}, basic("web", "web-secret"), true, {}, false, ClientAuthMethod::client_secret_basic},
        {"basic lower-case scheme",
         {},
         "basic " + httpauth::base64_encode("web:web-secret"),
         true,
         {},
         false,
         ClientAuthMethod::client_secret_basic},
        {"basic plus same body client_id",
         {{"client_id", "web"}},
         basic("web", "web-secret"),
         true,
         {},
         false,
         ClientAuthMethod::client_secret_basic},
        {"post",
         {{"client_id", "web"}, {"client_secret", "web-secret"}},
         std::nullopt,
         true,
         {},
         false,
         ClientAuthMethod::client_secret_post},
        {"public by id", {{"client_id", "spa"}}, std::nullopt, true, {}, false, ClientAuthMethod::none},
        {"public with empty basic secret", {}, basic("spa", ""), true, {}, false, ClientAuthMethod::none},
        {"both methods",
         {{"client_secret", "web-secret"}},
         basic("web", "web-secret"),
         false,
         OAuthErrorCode::invalid_request},
        {"basic id differs from body",
         {{"client_id", "svc"}},
         basic("web", "web-secret"),
         false,
         OAuthErrorCode::invalid_request},
        {"duplicate client_id",
         {{"client_id", "web"}, {"client_id", "web"}, {"client_secret", "web-secret"}},
         std::nullopt,
         false,
         OAuthErrorCode::invalid_request},
        {"basic wrong secret", {}, basic("web", "nope"), false, OAuthErrorCode::invalid_client, true},
        {"basic unknown client", {}, basic("ghost", "x"), false, OAuthErrorCode::invalid_client, true},
        {"basic malformed", {}, "Basic !!!", false, OAuthErrorCode::invalid_client, true},
        {"bearer instead of basic", {}, "Bearer abc", false, OAuthErrorCode::invalid_client, true},
        {"post wrong secret", {{"client_id", "web"}, {"client_secret", "nope"}}, std::nullopt, false},
        {"post unknown client", {{"client_id", "ghost"}, {"client_secret", "x"}}, std::nullopt, false},
        {"confidential without secret", {{"client_id", "web"}}, std::nullopt, false},
        {"public with a secret", {{"client_id", "spa"}, {"client_secret", "x"}}, std::nullopt, false},
        {"nothing", {}, std::nullopt, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        std::optional<std::string_view> auth;
        if (c.authorization) auth = *c.authorization;
        auto r = authenticate_client(form(c.body), auth, *store_);
        ASSERT_EQ(r.ok(), c.ok);
        if (c.ok) {
            EXPECT_EQ(r->method, c.method);
        } else {
            EXPECT_EQ(r.error().code, c.error);
            EXPECT_EQ(r.error().basic_challenge, c.challenge);
        }
    }
}

TEST_F(OauthClientAuth, ASecretCheckHookDecidesForKnownClientsOnly) {
    // The server passes a check that remembers successes; it sees the client
    // and its stored hash, and its answer is final.
    std::vector<std::string> seen;
    bool answer = true;
    SecretCheck hook = [&](std::string_view id, std::string_view hash, std::string_view secret) {
        seen.push_back(std::string(id) + "|" + std::string(secret));
        EXPECT_FALSE(hash.empty());
        return answer;
    };
    EXPECT_TRUE(authenticate_client(form({}), basic("web", "anything"), *store_, hook).ok());
    answer = false;
    EXPECT_FALSE(authenticate_client(form({}), basic("web", "web-secret"), *store_, hook).ok());
    EXPECT_FALSE(authenticate_client(form({}), basic("ghost", "x"), *store_, hook).ok());
    EXPECT_TRUE(authenticate_client(form({{"client_id", "spa"}}), std::nullopt, *store_, hook).ok());
    EXPECT_EQ(seen, (std::vector<std::string>{"web|anything", "web|web-secret"}))
        << "unknown and public clients never reach the hook";
}

TEST_F(OauthClientAuth, BasicFailureIs401WithChallenge) {
    auto r =
        token_endpoint(form({{"grant_type", "client_credentials"}}), basic("web", "wrong"), kNow, issuer());
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(header(r, "WWW-Authenticate"), R"(Basic realm="gatekeeper", charset="UTF-8")");
    EXPECT_EQ(str(body_of(r), "error"), "invalid_client");
    EXPECT_EQ(header(r, "Cache-Control"), "no-store");
    EXPECT_EQ(header(r, "Pragma"), "no-cache");
}

TEST_F(OauthClientAuth, PostFailureIs400WithoutChallenge) {
    auto r = token_endpoint(
        form({{"grant_type", "client_credentials"}, {"client_id", "web"}, {"client_secret", "x"}}),
        std::nullopt, kNow, issuer());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(header(r, "WWW-Authenticate"), "");
    EXPECT_EQ(str(body_of(r), "error"), "invalid_client");
}

TEST_F(OauthClientAuth, UnknownAndWrongSecretReadTheSame) {
    auto a =
        token_endpoint(form({{"grant_type", "client_credentials"}}), basic("web", "wrong"), kNow, issuer());
    auto b =
        token_endpoint(form({{"grant_type", "client_credentials"}}), basic("ghost", "wrong"), kNow, issuer());
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.body, b.body);
}

TEST_F(OauthClientAuth, SecretsAreFormUrlDecoded) {
    const auto cheap = store::test::cheap_argon2();
    put({"odd id:1",
         password::hash_argon2id("p@ss word:+%", cheap),
         "Odd",
         {},
         {"read"},
         {"client_credentials"},
         kNow});
    auto r = authenticate_client(form({}), basic("odd id:1", "p@ss word:+%"), *store_);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->client.client_id, "odd id:1");
}

}  // namespace
}  // namespace gk::issuer::test
