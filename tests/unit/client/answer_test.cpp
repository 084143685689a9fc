// The pure half of the client: challenge choice (table-driven), the
// Authorization values against RFC vectors, nonce counting.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gatekeeper/client.hpp"
#include "gatekeeper/httpauth/base64.hpp"

namespace gk::client {
namespace {

// RFC 7616 section 3.9.1: user "Mufasa", password "Circle of Life".
constexpr const char* kRealm = "http-auth@example.org";
constexpr const char* kNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr const char* kOpaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
constexpr const char* kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

std::optional<SchemeChoice> pick(const std::vector<std::string>& fields, Abilities can) {
    auto c = choose_challenge(collect_challenges(fields), can);
    if (!c) return std::nullopt;
    return c->kind;
}

struct ChoiceCase {
    const char* name;
    std::vector<std::string> fields;
    Abilities can;
    std::optional<SchemeChoice> want;
};

TEST(ChooseChallenge, Table) {
    const Abilities pw{true, false}, tok{false, true}, both{true, true};
    const std::string sha = "Digest realm=\"r\", qop=\"auth\", algorithm=SHA-256, nonce=\"n1\"";
    const std::string md5 = "Digest realm=\"r\", qop=\"auth\", algorithm=MD5, nonce=\"n2\"";
    const std::string md5_default = "Digest realm=\"r\", qop=\"auth, auth-int\", nonce=\"n3\"";
    const std::vector<ChoiceCase> cases = {
        {"sha256 over md5 whatever the order", {md5 + ", " + sha}, pw, SchemeChoice::digest_sha256},
        {"sha256 over md5 on separate lines", {md5, sha}, pw, SchemeChoice::digest_sha256},
        {"md5 when no sha256", {"Basic realm=\"r\"", md5_default}, pw, SchemeChoice::digest_md5},
        {"digest over bearer with both", {"Bearer realm=\"r\"", sha}, both, SchemeChoice::digest_sha256},
        {"bearer over basic with both", {"Basic realm=\"r\", Bearer realm=\"r\""}, both, SchemeChoice::bearer},
        {"basic when only password", {"Basic realm=\"r\", Bearer realm=\"r\""}, pw, SchemeChoice::basic},
        {"bearer only with a token source", {"Bearer realm=\"r\""}, pw, std::nullopt},
        {"token source only: digest ignored", {sha, "Bearer realm=\"r\""}, tok, SchemeChoice::bearer},
        {"no qop (RFC 2069) not answered", {"Digest realm=\"r\", nonce=\"n\""}, pw, std::nullopt},
        {"auth-int only not answered", {"Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""}, pw, std::nullopt},
        {"sess algorithm not answered, basic instead",
         {"Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=SHA-256-sess", "Basic realm=\"r\""},
         pw, SchemeChoice::basic},
        {"unknown scheme", {"Negotiate"}, both, std::nullopt},
        {"malformed line does not hide a good one", {"Digest realm=\"unterminated", "Basic realm=\"r\""}, pw,
         SchemeChoice::basic},
        {"scheme case-insensitive", {"dIgEsT realm=\"r\", qop=auth, nonce=n, algorithm=sha-256"}, pw,
         SchemeChoice::digest_sha256},
        {"nothing", {}, both, std::nullopt},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(pick(c.fields, c.can), c.want) << c.name;
    }
}

TEST(DigestChallenge, ParsesStaleUserhashOpaque) {
    auto cs = collect_challenges({"Digest realm=\"r\", qop=\"auth\", nonce=\"n\", opaque=\"o\", stale=TRUE, "
                                  "userhash=true, algorithm=SHA-256"});
    ASSERT_EQ(cs.size(), 1u);
    auto d = parse_digest_challenge(cs[0]);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->realm, "r");
    EXPECT_EQ(d->nonce, "n");
    EXPECT_EQ(d->opaque, "o");
    EXPECT_TRUE(d->stale);
    EXPECT_TRUE(d->userhash);
    EXPECT_EQ(d->algorithm, schemes::DigestAlgorithm::sha256);
}

TEST(DigestChallenge, Errors) {
    struct Case {
        const char* field;
        DigestChallengeError want;
    };
    const Case cases[] = {
        {"Basic realm=\"r\"", DigestChallengeError::not_digest},
        {"Digest nonce=\"n\", qop=auth", DigestChallengeError::missing_realm},
        {"Digest realm=\"r\", qop=auth", DigestChallengeError::missing_nonce},
        {"Digest realm=\"r\", nonce=n, qop=auth, algorithm=SHA-1", DigestChallengeError::bad_algorithm},
        {"Digest realm=\"r\", nonce=n", DigestChallengeError::no_qop_auth},
    };
    for (const auto& c : cases) {
        auto cs = collect_challenges({c.field});
        ASSERT_EQ(cs.size(), 1u) << c.field;
        auto d = parse_digest_challenge(cs[0]);
        ASSERT_FALSE(d) << c.field;
        EXPECT_EQ(d.error(), c.want) << c.field;
    }
}

// The Authorization value, parsed back with the server's own parser and checked
// against the RFC's response values.
struct DigestVector {
    schemes::DigestAlgorithm alg;
    const char* response;
};

TEST(DigestAuthorization, Rfc7616Vectors) {
    const DigestVector vectors[] = {
        {schemes::DigestAlgorithm::md5, "8ca523f5e9506fed4657c9700eebdbec"},
        {schemes::DigestAlgorithm::sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
    };
    for (const auto& v : vectors) {
        DigestChallenge ch{kRealm, kNonce, kOpaque, v.alg, false, false};
        const std::string value = digest_authorization(ch, "Mufasa", Secret{std::string("Circle of Life")}, "GET",
                                                       "/dir/index.html", kCnonce, 1);
        auto creds = httpauth::parse_credentials(value);
        ASSERT_TRUE(creds) << value;
        auto d = schemes::parse_digest(*creds);
        ASSERT_TRUE(d) << value;
        EXPECT_EQ(d->response, v.response);
        EXPECT_EQ(d->username, "Mufasa");
        EXPECT_EQ(d->nc_text, "00000001");
        EXPECT_EQ(d->opaque, kOpaque);
        EXPECT_EQ(d->uri, "/dir/index.html");
        EXPECT_EQ(d->algorithm, v.alg);
        EXPECT_EQ(value.find("Circle"), std::string::npos);
    }
}

TEST(DigestAuthorization, UserhashWhenOffered) {
    DigestChallenge ch{kRealm, kNonce, "", schemes::DigestAlgorithm::sha256, false, true};
    const std::string value =
        digest_authorization(ch, "Mufasa", Secret{std::string("pw")}, "GET", "/", "c", 0x1f);
    auto d = schemes::parse_digest(*httpauth::parse_credentials(value));
    ASSERT_TRUE(d) << value;
    EXPECT_TRUE(d->userhash);
    EXPECT_EQ(d->username, schemes::digest_userhash(schemes::DigestAlgorithm::sha256, "Mufasa", kRealm));
    EXPECT_EQ(d->nc_text, "0000001f");
    EXPECT_EQ(value.find("opaque"), std::string::npos);
}

TEST(DigestAuthorization, QuotesEscaped) {
    DigestChallenge ch{"a\"b", "n", "", schemes::DigestAlgorithm::md5, false, false};
    const std::string value = digest_authorization(ch, "x\\y", Secret{std::string("pw")}, "GET", "/", "c", 1);
    auto d = schemes::parse_digest(*httpauth::parse_credentials(value));
    ASSERT_TRUE(d) << value;
    EXPECT_EQ(d->realm, "a\"b");
    EXPECT_EQ(d->username, "x\\y");
}

TEST(BasicAuthorization, Rfc7617Example) {
    EXPECT_EQ(basic_authorization("Aladdin", Secret{std::string("open sesame")}),
              "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    EXPECT_EQ(basic_authorization("a:b", Secret{std::string("x")}), std::nullopt);
}

TEST(NonceCounter, CountsPerNonceAndForgetsOldest) {
    NonceCounter n(2);
    EXPECT_EQ(n.next("a"), 1u);
    EXPECT_EQ(n.next("a"), 2u);
    EXPECT_EQ(n.next("b"), 1u);
    EXPECT_EQ(n.next("a"), 3u);
    EXPECT_EQ(n.next("c"), 1u);  // evicts b (least recently used)
    EXPECT_EQ(n.next("a"), 4u);
    EXPECT_EQ(n.next("b"), 1u);
}

}  // namespace
}  // namespace gk::client
