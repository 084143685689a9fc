// Authorization server metadata (RFC 8414) and the small building blocks.
#include <boost/json/parse.hpp>

#include "gatekeeper/issuer/oauth.hpp"
#include "gtest/gtest.h"

namespace gk::issuer {
namespace {

std::vector<std::string> strings(const boost::json::value& v) {
    std::vector<std::string> out;
    for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
    return out;
}

TEST(OauthMetadata, Rfc8414Document) {
    Settings s;
    s.issuer = "https://gw.example";
    auto o = boost::json::parse(authorization_server_metadata("https://gw.example/", s, {"read", "write"}))
                 .as_object();
    EXPECT_EQ(o.at("issuer").as_string(), "https://gw.example");
    EXPECT_EQ(o.at("authorization_endpoint").as_string(), "https://gw.example/.gatekeeper/authorize");
    EXPECT_EQ(o.at("token_endpoint").as_string(), "https://gw.example/.gatekeeper/token");
    EXPECT_EQ(o.at("jwks_uri").as_string(), "https://gw.example/.well-known/jwks.json");
    EXPECT_EQ(o.at("revocation_endpoint").as_string(), "https://gw.example/.gatekeeper/revoke");
    EXPECT_EQ(o.at("introspection_endpoint").as_string(), "https://gw.example/.gatekeeper/introspect");
    EXPECT_EQ(strings(o.at("response_types_supported")), std::vector<std::string>{"code"});
    EXPECT_EQ(strings(o.at("code_challenge_methods_supported")), std::vector<std::string>{"S256"});
    EXPECT_EQ(strings(o.at("grant_types_supported")),
              (std::vector<std::string>{"authorization_code", "refresh_token", "client_credentials"}));
    EXPECT_EQ(strings(o.at("token_endpoint_auth_methods_supported")),
              (std::vector<std::string>{"client_secret_basic", "client_secret_post", "none"}));
    EXPECT_EQ(strings(o.at("scopes_supported")), (std::vector<std::string>{"read", "write"}));
    EXPECT_TRUE(o.at("authorization_response_iss_parameter_supported").as_bool());

    auto bare = boost::json::parse(authorization_server_metadata("https://gw.example", s)).as_object();
    EXPECT_FALSE(bare.contains("scopes_supported"));
}

TEST(OauthMetadata, PkceRfc7636AppendixB) {
    EXPECT_EQ(pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    EXPECT_TRUE(valid_code_verifier(std::string(43, '~')));
    EXPECT_TRUE(valid_code_verifier(std::string(128, 'Z')));
    EXPECT_FALSE(valid_code_verifier(std::string(42, 'a')));
    EXPECT_FALSE(valid_code_verifier(std::string(129, 'a')));
    EXPECT_FALSE(valid_code_verifier(std::string(42, 'a') + "="));
}

TEST(OauthMetadata, OpaqueTokensAndHashes) {
    const auto a = new_opaque_token(kRefreshTokenPrefix);
    EXPECT_TRUE(a.starts_with("gkr_"));
    EXPECT_EQ(a.size(), 4u + 43u);  // 256 bits base64url
    EXPECT_NE(a, new_opaque_token(kRefreshTokenPrefix));
    // printf abc | sha256sum
    EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(OauthMetadata, ErrorResponseShapes) {
    Settings s;
    s.realm = R"(my "realm")";
    auto r = error_response({OAuthErrorCode::invalid_client, "nope", true}, s);
    EXPECT_EQ(r.status, 401);
    bool found = false;
    for (const auto& [n, v] : r.headers) {
        if (n == "WWW-Authenticate") {
            found = true;
            EXPECT_EQ(v, R"(Basic realm="my \"realm\"", charset="UTF-8")");
        }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(error_response({OAuthErrorCode::temporarily_unavailable, "", false}, s).status, 503);
    EXPECT_EQ(error_response({OAuthErrorCode::invalid_grant, "x", false}, s).body,
              R"({"error":"invalid_grant","error_description":"x"})");
}

}  // namespace
}  // namespace gk::issuer
