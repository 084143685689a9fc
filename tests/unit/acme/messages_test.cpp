// ACME resources and problem documents: what is read, what is refused.
#include <gtest/gtest.h>

#include "gatekeeper/acme/messages.hpp"

namespace gk::acme {
namespace {

TEST(AcmeMessages, DirectoryNeedsItsThreeUrls) {
    auto d = parse_directory(R"({"newNonce":"n","newAccount":"a","newOrder":"o","revokeCert":"r","meta":{"termsOfService":"t"}})");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->new_order, "o");
    EXPECT_EQ(d->terms_of_service, "t");
    for (const char* bad : {R"({"newNonce":"n","newAccount":"a"})", R"({"newNonce":1,"newAccount":"a","newOrder":"o"})",
                            "[]", "not json"}) {
        auto e = parse_directory(bad);
        ASSERT_FALSE(e.ok()) << bad;
        EXPECT_EQ(e.error().type, "protocol");
    }
}

TEST(AcmeMessages, ProblemDocumentsBecomeClearErrors) {
    const struct {
        unsigned status;
        const char* body;
        const char* message;
    } cases[] = {
        {400, R"({"type":"urn:ietf:params:acme:error:badNonce","detail":"stale"})", "badNonce (HTTP 400): stale"},
        {403, R"({"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"no","subproblems":[)"
              R"({"type":"urn:ietf:params:acme:error:rejectedIdentifier","identifier":{"type":"dns","value":"x.test"},"detail":"banned"}]})",
         "rejectedIdentifier (HTTP 403): no; x.test: banned"},
        {500, "<html>oops</html>", "protocol (HTTP 500): HTTP 500 without a problem document"},
        {429, R"({"detail":"slow down"})", "about:blank (HTTP 429): slow down"},
    };
    for (const auto& c : cases) EXPECT_EQ(parse_problem(c.status, c.body).message(), c.message) << c.body;
    EXPECT_TRUE(parse_problem(400, cases[0].body).is("badNonce"));
    EXPECT_FALSE(parse_problem(400, cases[0].body).is("badNonceX"));
}

TEST(AcmeMessages, OrderAndAuthorization) {
    auto o = parse_order(R"({"status":"invalid","authorizations":["a1","a2"],"finalize":"f",)"
                         R"("error":{"type":"urn:ietf:params:acme:error:unauthorized","detail":"nope"}})");
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->authorizations.size(), 2u);
    ASSERT_TRUE(o->error.has_value());
    EXPECT_TRUE(o->error->is("unauthorized"));
    EXPECT_FALSE(parse_order(R"({"status":"valid","authorizations":"a1"})").ok());
    EXPECT_FALSE(parse_order(R"({"authorizations":[]})").ok());

    auto a = parse_authorization(R"({"status":"pending","identifier":{"type":"dns","value":"gk.test"},)"
                                 R"("challenges":[{"type":"http-01","url":"u","token":"t","status":"pending"}]})");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->identifier, "gk.test");
    ASSERT_EQ(a->challenges.size(), 1u);
    EXPECT_EQ(a->challenges[0].token, "t");
    EXPECT_FALSE(parse_authorization(R"({"status":"pending"})").ok());
}

TEST(AcmeMessages, RequiredStatusMustBeANonEmptyString) {
    const struct {
        const char* json;
        const char* says;
    } orders[] = {
        {R"({"authorizations":[]})", "order has no 'status'"},
        {R"({"status":"","authorizations":[]})", "order has no 'status'"},
        {R"({"status":null})", "order has no 'status'"},
        {R"({"status":7})", "order: 'status' is not a string"},
    };
    for (const auto& c : orders) {
        auto o = parse_order(c.json);
        ASSERT_FALSE(o.ok()) << c.json;
        EXPECT_EQ(o.error().detail, c.says) << c.json;
    }
    const struct {
        const char* json;
        const char* says;
    } authzs[] = {
        {R"({"challenges":[]})", "authorization has no 'status'"},
        {R"({"status":"","challenges":[]})", "authorization has no 'status'"},
        {R"({"status":["pending"],"challenges":[]})", "authorization: 'status' is not a string"},
    };
    for (const auto& c : authzs) {
        auto a = parse_authorization(c.json);
        ASSERT_FALSE(a.ok()) << c.json;
        EXPECT_EQ(a.error().detail, c.says) << c.json;
    }
    EXPECT_EQ(parse_directory(R"({"newNonce":"","newAccount":"a","newOrder":"o"})").error().detail,
              "directory has no 'newNonce'");
}

TEST(AcmeMessages, RetryAfterDeltaSecondsOnly) {
    EXPECT_EQ(parse_retry_after("5"), 5);
    EXPECT_EQ(parse_retry_after(" 0 "), 0);
    EXPECT_FALSE(parse_retry_after("Fri, 31 Dec 1999 23:59:59 GMT").has_value());
    EXPECT_FALSE(parse_retry_after("-1").has_value());
    EXPECT_FALSE(parse_retry_after("").has_value());
    EXPECT_FALSE(parse_retry_after("99999999999").has_value());
}

}  // namespace
}  // namespace gk::acme
