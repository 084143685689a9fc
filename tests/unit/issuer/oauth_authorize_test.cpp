// The authorization endpoint: never redirect before client and redirect_uri
// are known; errors after that go back with state and iss.
#include "oauth_test_util.hpp"

namespace gk::issuer::test {
namespace {

using Kind = AuthorizeResult::Kind;
using Params = std::vector<std::pair<std::string, std::string>>;

class OauthAuthorize : public OauthFixture {
protected:
    static Params base() {
        return {{"response_type", "code"},
                {"client_id", "web"},
                {"redirect_uri", "https://app.example/cb"},
                {"state", "s t&1"},
                {"code_challenge", kChallenge},
                {"code_challenge_method", "S256"}};
    }
    static Params with(Params p, const std::string& name, const std::optional<std::string>& value) {
        std::erase_if(p, [&](const auto& kv) { return kv.first == name; });
        if (value) p.emplace_back(name, *value);
        return p;
    }
    AuthorizeResult run(const Params& p, std::optional<std::string> user = "alice") {
        return authorize(form(p), user, kNow, *store_, settings_);
    }
};

TEST_F(OauthAuthorize, SignedInUserGetsCodeWithStateAndIss) {
    auto r = run(base());
    ASSERT_EQ(r.kind, Kind::redirect_code) << r.message << r.location;
    EXPECT_EQ(r.status, 302);
    EXPECT_TRUE(r.location.starts_with("https://app.example/cb?code=gkc_")) << r.location;
    EXPECT_EQ(query_param(r.location, "state"), "s t&1");
    EXPECT_EQ(query_param(r.location, "iss"), "https://gw.example");
    auto stored = store_->take_code(token_hash(query_param(r.location, "code")));
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ((*stored)->user, "alice");
    EXPECT_EQ((*stored)->scope, "read write");
    EXPECT_EQ((*stored)->code_challenge, kChallenge);
    EXPECT_EQ((*stored)->expires_at, kNow + 60);
}

TEST_F(OauthAuthorize, NobodySignedInNeedsLoginOnlyForValidRequests) {
    EXPECT_EQ(run(base(), std::nullopt).kind, Kind::need_login);
    EXPECT_EQ(run(with(base(), "response_type", "token"), std::nullopt).kind, Kind::redirect_error);
}

TEST_F(OauthAuthorize, ErrorPagesNeverRedirect) {
    struct Case {
        const char* name;
        Params params;
    };
    const std::vector<Case> cases = {
        {"no client_id", with(base(), "client_id", std::nullopt)},
        {"unknown client", with(base(), "client_id", "ghost")},
        {"no redirect_uri", with(base(), "redirect_uri", std::nullopt)},
        {"unregistered redirect_uri", with(base(), "redirect_uri", "https://evil.example/cb")},
        {"redirect_uri prefix", with(base(), "redirect_uri", "https://app.example/cb/x")},
        {"redirect_uri with query", with(base(), "redirect_uri", "https://app.example/cb?x=1")},
        {"another client's redirect_uri", with(base(), "redirect_uri", "https://spa.example/cb")},
        {"duplicate client_id",
         [] {
             auto p = base();
             p.emplace_back("client_id", "web");
             return p;
         }()},
        {"duplicate redirect_uri",
         [] {
             auto p = base();
             p.emplace_back("redirect_uri", "https://app.example/cb");
             return p;
         }()},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = run(c.params);
        EXPECT_EQ(r.kind, Kind::error_page);
        EXPECT_EQ(r.status, 400);
        EXPECT_TRUE(r.location.empty());
        EXPECT_FALSE(r.message.empty());
    }
}

TEST_F(OauthAuthorize, ErrorsAfterTheClientIsKnownRedirect) {
    struct Case {
        const char* name;
        Params params;
        const char* error;
    };
    const std::vector<Case> cases = {
        {"no response_type", with(base(), "response_type", std::nullopt), "invalid_request"},
        {"token response_type", with(base(), "response_type", "token"), "unsupported_response_type"},
        {"no PKCE", with(with(base(), "code_challenge", std::nullopt), "code_challenge_method", std::nullopt),
         "invalid_request"},
        {"plain PKCE", with(base(), "code_challenge_method", "plain"), "invalid_request"},
        {"no PKCE method", with(base(), "code_challenge_method", std::nullopt), "invalid_request"},
        {"short challenge", with(base(), "code_challenge", "abc"), "invalid_request"},
        {"scope not allowed", with(base(), "scope", "read admin"), "invalid_scope"},
        {"malformed scope", with(base(), "scope", " read"), "invalid_scope"},
        {"duplicate scope",
         [] {
             auto p = with(base(), "scope", "read");
             p.emplace_back("scope", "read");
             return p;
         }(),
         "invalid_request"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = run(c.params);
        ASSERT_EQ(r.kind, Kind::redirect_error) << r.message;
        EXPECT_EQ(r.status, 302);
        EXPECT_TRUE(r.location.starts_with("https://app.example/cb?error=")) << r.location;
        EXPECT_EQ(query_param(r.location, "error"), c.error);
        EXPECT_EQ(query_param(r.location, "state"), "s t&1");
        EXPECT_EQ(query_param(r.location, "iss"), "https://gw.example");
        EXPECT_EQ(query_param(r.location, "code"), "");
    }
}

TEST_F(OauthAuthorize, ClientWithoutCodeGrantIsUnauthorized) {
    put({"svc2", "", "Svc2", {"https://svc.example/cb"}, {"read"}, {"client_credentials"}, kNow});
    auto p = with(with(base(), "client_id", "svc2"), "redirect_uri", "https://svc.example/cb");
    auto r = run(p);
    ASSERT_EQ(r.kind, Kind::redirect_error);
    EXPECT_EQ(query_param(r.location, "error"), "unauthorized_client");
}

TEST_F(OauthAuthorize, NarrowScopeAndNoStateAndExistingQuery) {
    put({"q", "", "Q", {"https://q.example/cb?tenant=1"}, {"read", "write"}, {"authorization_code"}, kNow});
    auto p = with(with(with(with(base(), "client_id", "q"), "redirect_uri", "https://q.example/cb?tenant=1"),
                       "state", std::nullopt),
                  "scope", "write");
    auto r = run(p);
    ASSERT_EQ(r.kind, Kind::redirect_code) << r.message;
    EXPECT_TRUE(r.location.starts_with("https://q.example/cb?tenant=1&code=gkc_")) << r.location;
    EXPECT_EQ(r.location.find("state="), std::string::npos);
    auto stored = store_->take_code(token_hash(query_param(r.location, "code")));
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ((*stored)->scope, "write");
}

}  // namespace
}  // namespace gk::issuer::test
