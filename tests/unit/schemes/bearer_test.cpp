// Bearer credentials (RFC 6750 2.1), query tokens (2.3) and challenges (3),
// including the gateway cases derived in ../shared/vectors/rfc/rfc6750_bearer.json.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/bearer.hpp"

namespace gk::schemes {
namespace {

// nullopt: the Authorization value is refused (400 invalid_request on a Bearer route).
std::optional<std::string> token_of(std::string_view field) {
    auto creds = httpauth::parse_credentials(field);
    if (!creds) return std::nullopt;
    if (!httpauth::iequals(creds->scheme, "Bearer")) return std::nullopt;
    auto t = bearer_token(*creds);
    if (!t) return std::nullopt;
    return std::string(*t);
}

struct TokenCase {
    const char* field;
    const char* token;  // nullptr: refused
};

TEST(BearerToken, Table) {
    const TokenCase cases[] = {
        {"Bearer mF_9.B5f-4.1JqM", "mF_9.B5f-4.1JqM"},
        {"bearer mF_9.B5f-4.1JqM", "mF_9.B5f-4.1JqM"},
        {"BEARER abc", "abc"},
        {"Bearer abc+/==", "abc+/=="},
        {"Bearer eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJub25lIn0.e30."},
        {"Bearer a~b", "a~b"},
        {"Bearer   abc", "abc"},
        {"Bearer", nullptr},
        {"Bearer ", nullptr},
        {"Bearer abc$def", nullptr},
        {"Bearer ab=cd", nullptr},
        {"Bearer abc,def", nullptr},
        {"Bearer \"abc\"", nullptr},
        {"Bearer abc def", nullptr},
        {"Bearer ===", nullptr},
        {"Bearer realm=\"x\"", nullptr},
        {"Basic abc", nullptr},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.field);
        auto got = token_of(c.field);
        if (c.token) {
            ASSERT_TRUE(got.has_value());
            EXPECT_EQ(*got, c.token);
        } else {
            EXPECT_FALSE(got.has_value());
        }
    }
}

TEST(BearerToken, DerivedVectorsFromRfc6750File) {
    std::ifstream in(GK_VECTORS_DIR "/rfc/rfc6750_bearer.json");
    ASSERT_TRUE(in) << "vectors missing";
    std::stringstream s;
    s << in.rdbuf();
    auto doc = boost::json::parse(s.str()).as_object();
    int checked = 0;
    for (const auto& v : doc.at("gatekeeper_derived_cases").as_array()) {
        const auto& c = v.as_object();
        if (!c.contains("authorization") || c.contains("request_line")) continue;
        const std::string field(c.at("authorization").as_string());
        const std::string expect(c.at("expect").as_string());
        if (field.find('<') != std::string::npos) continue;  // a placeholder for a real token
        SCOPED_TRACE(field);
        const auto got = token_of(field);
        if (expect.rfind("400", 0) == 0) {
            EXPECT_FALSE(got.has_value());
        } else if (expect.rfind("token extracted: ", 0) == 0) {
            ASSERT_TRUE(got.has_value());
            EXPECT_EQ(*got, expect.substr(17));
        } else if (expect.rfind("token extracted", 0) == 0 || expect.rfind("same as bearer-empty", 0) == 0) {
            // lower-case scheme (extracted) / "Bearer " (refused like "Bearer")
            EXPECT_EQ(got.has_value(), expect.rfind("token extracted", 0) == 0);
        } else {
            continue;
        }
        ++checked;
    }
    EXPECT_GE(checked, 10);
}

TEST(QueryToken, FindsDecodesAndFlags) {
    EXPECT_FALSE(query_access_token("").has_value());
    EXPECT_FALSE(query_access_token("a=1&b=2").has_value());
    EXPECT_FALSE(query_access_token("xaccess_token=1").has_value());
    auto t = query_access_token("a=1&access_token=mF_9.B5f-4.1JqM&b=2");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->token, "mF_9.B5f-4.1JqM");
    EXPECT_FALSE(t->duplicate);
    EXPECT_FALSE(t->malformed);
    t = query_access_token("access_token=ab%2Bc");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->token, "ab+c");
    EXPECT_TRUE(query_access_token("access_token=a&access_token=b")->duplicate);
    EXPECT_TRUE(query_access_token("access_token=a%2")->malformed);
    EXPECT_TRUE(query_access_token("access_token=a%20b")->malformed);
    EXPECT_TRUE(query_access_token("access_token=")->malformed);
    EXPECT_TRUE(query_access_token("access_token")->malformed);
}

TEST(QueryToken, StripKeepsOtherParameters) {
    EXPECT_EQ(strip_access_token("a=1&access_token=x&b=2"), "a=1&b=2");
    EXPECT_EQ(strip_access_token("access_token=x"), "");
    EXPECT_EQ(strip_access_token("access_token=x&access_token=y&c"), "c");
    EXPECT_EQ(strip_access_token("a=1"), "a=1");
}

TEST(BearerChallenge, Rfc6750Examples) {
    EXPECT_EQ(httpauth::format_challenge(bearer_challenge("example")), "Bearer realm=\"example\"");
    EXPECT_EQ(httpauth::format_challenge(
                  bearer_challenge("example", BearerErrorCode::invalid_token, "The access token expired")),
              "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\"");
    EXPECT_EQ(httpauth::format_challenge(
                  bearer_challenge("api", BearerErrorCode::insufficient_scope, "insufficient scope", "read write")),
              "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"insufficient scope\", "
              "scope=\"read write\"");
    EXPECT_EQ(httpauth::format_challenge(bearer_challenge("api", BearerErrorCode::invalid_request)),
              "Bearer realm=\"api\", error=\"invalid_request\"");
}

}  // namespace
}  // namespace gk::schemes
