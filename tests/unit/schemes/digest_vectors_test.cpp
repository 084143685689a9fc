// Every case of ../shared/vectors/rfc/rfc7616_digest.json, and the Digest
// credentials of ../shared/vectors/challenges.json with their semantic verdicts.
//
// - 3.9.1 (MD5, SHA-256): the printed Authorization parses, HA1 / HA2 / response
//   are reproduced from the password, the response verifies, and our challenge
//   formats to the printed one (plus charset=UTF-8, which we always send).
// - 3.9.2 (SHA-512-256, userhash): checked against the erratum 4897 values; the
//   printed ones (truncated SHA-512) must NOT be reproduced.
// - computed_not_printed userhash values for Mufasa.
// The vectors give no rspauth value; rspauth is checked in digest_compute_test.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace gk::schemes {
namespace {

namespace json = boost::json;

json::object load(const std::string& rel) {
    std::ifstream in(std::string(GK_VECTORS_DIR) + "/" + rel);
    EXPECT_TRUE(in.good()) << rel;
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).as_object();
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

DigestAlgorithm alg_of(const json::object& c) {
    auto a = parse_digest_algorithm(str(c.at("algorithm")));
    EXPECT_TRUE(a.has_value());
    return a.value_or(DigestAlgorithm::md5);
}

Result<DigestCredentials, DigestError> parse_header(const std::string& value) {
    auto c = httpauth::parse_credentials(value);
    EXPECT_TRUE(c.ok()) << value;
    if (!c) return fail(DigestError::not_digest);
    return parse_digest(c.value());
}

TEST(Rfc7616Vectors, Section391) {
    const auto doc = load("rfc/rfc7616_digest.json");
    const auto& cases = doc.at("cases").as_array();
    ASSERT_EQ(cases.size(), 2u);
    for (const auto& v : cases) {
        const auto& c = v.as_object();
        SCOPED_TRACE(str(c.at("id")));
        const DigestAlgorithm alg = alg_of(c);
        const auto& computed = c.at("computed_not_printed").as_object();

        auto r = parse_header(str(c.at("authorization")));
        ASSERT_TRUE(r.ok()) << to_string(r.error());
        const DigestCredentials& d = r.value();
        EXPECT_EQ(d.algorithm, alg);
        EXPECT_EQ(d.username, str(c.at("username")));
        EXPECT_EQ(d.realm, str(c.at("realm")));
        EXPECT_EQ(d.uri, str(c.at("uri")));
        EXPECT_EQ(d.nonce, str(c.at("nonce")));
        EXPECT_EQ(d.cnonce, str(c.at("cnonce")));
        EXPECT_EQ(d.opaque, str(c.at("opaque")));
        EXPECT_EQ(d.nc_text, str(c.at("nc")));
        EXPECT_EQ(to_string(d.qop), str(c.at("qop")));
        EXPECT_EQ(d.response, str(c.at("response")));

        const std::string ha1 = digest_ha1(alg, d.username, d.realm, str(c.at("password")));
        EXPECT_EQ(ha1, str(computed.at("HA1")));
        EXPECT_EQ(crypto::to_hex(crypto::digest(hash_of(alg), str(computed.at("A2")))), str(computed.at("HA2")));

        const std::string expected = expected_response(d, ha1, str(c.at("method")), "");
        EXPECT_EQ(expected, str(c.at("response")));
        EXPECT_TRUE(response_matches(d, expected));
        // RFC 2617's spelling of the password (erratum 4495) must fail.
        EXPECT_FALSE(response_matches(
            d, expected_response(d, digest_ha1(alg, d.username, d.realm, "Circle Of Life"), "GET", "")));
        // So must another method or uri.
        EXPECT_FALSE(response_matches(d, expected_response(d, ha1, "POST", "")));
        DigestCredentials other_uri = d;
        other_uri.uri = "/dir/index.htm";
        EXPECT_FALSE(response_matches(d, expected_response(other_uri, ha1, "GET", "")));

        // Our challenge for the same values is the printed one, plus charset.
        const auto ours = digest_challenge(str(c.at("realm")), alg, str(c.at("nonce")), str(c.at("opaque")),
                                           /*stale=*/false, /*qop_auth_int_offered=*/true, /*userhash=*/false);
        EXPECT_EQ(httpauth::format_challenge(ours), str(c.at("challenge")) + ", charset=UTF-8");
    }
}

TEST(Rfc7616Vectors, Section392UserhashErratum4897) {
    const auto doc = load("rfc/rfc7616_digest.json");
    const auto& c = doc.at("section_3.9.2").as_object();
    const DigestAlgorithm alg = alg_of(c);
    ASSERT_EQ(alg, DigestAlgorithm::sha512_256);
    const std::string user = str(c.at("username_unicode"));
    ASSERT_EQ(user, "J\xC3\xA4s\xC3\xB8n Doe");  // the octets of username_octets_hex
    const auto& good = c.at("erratum_4897_values").as_object();
    const auto& printed = c.at("printed_in_rfc").as_object();
    const std::string realm = str(c.at("realm"));

    const std::string uh = digest_userhash(alg, user, realm);
    EXPECT_EQ(uh, str(good.at("username_userhash")));
    EXPECT_NE(uh, str(printed.at("username_userhash")));  // truncated SHA-512, not SHA-512/256

    // The Authorization a 3.9.2 client sends (the RFC's, with the erratum values).
    const std::string common = ", realm=\"" + realm + "\", uri=\"" + str(c.at("uri")) +
                               "\", algorithm=SHA-512-256, nonce=\"" + str(c.at("nonce")) +
                               "\", nc=00000001, cnonce=\"" + str(c.at("cnonce")) + "\", qop=auth, response=\"" +
                               str(good.at("response")) + "\", opaque=\"" + str(c.at("opaque")) + "\"";
    auto hashed = parse_header("Digest username=\"" + uh + "\"" + common + ", userhash=true");
    ASSERT_TRUE(hashed.ok()) << to_string(hashed.error());
    EXPECT_TRUE(hashed->userhash);
    EXPECT_EQ(hashed->username, uh);
    // H(A1) uses the clear name the server found by the hash (3.4.4 rule).
    const std::string ha1 = digest_ha1(alg, user, realm, str(c.at("password")));
    const std::string expected = expected_response(hashed.value(), ha1, str(c.at("method")), "");
    EXPECT_EQ(expected, str(good.at("response")));
    EXPECT_NE(expected, str(printed.at("response")));
    EXPECT_TRUE(response_matches(hashed.value(), expected));

    // username_star_form: the same user sent as username*, userhash=false, same response.
    auto star = parse_header("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe" + common + ", userhash=false");
    ASSERT_TRUE(star.ok()) << to_string(star.error());
    EXPECT_FALSE(star->userhash);
    EXPECT_EQ(star->username, user);
    EXPECT_TRUE(response_matches(star.value(), expected_response(star.value(), ha1, "GET", "")));

    // The printed challenge is exactly what digest_challenge produces.
    const auto ours = digest_challenge(realm, alg, str(c.at("nonce")), str(c.at("opaque")), false, false, true);
    EXPECT_EQ(httpauth::format_challenge(ours), str(c.at("challenge")));
}

TEST(Rfc7616Vectors, ComputedUserhashes) {
    const auto doc = load("rfc/rfc7616_digest.json");
    const auto& u = doc.at("computed_not_printed").as_object().at("userhash_Mufasa_http-auth@example.org").as_object();
    EXPECT_EQ(digest_userhash(DigestAlgorithm::sha256, "Mufasa", "http-auth@example.org"), str(u.at("SHA-256")));
    EXPECT_EQ(digest_userhash(DigestAlgorithm::sha256_sess, "Mufasa", "http-auth@example.org"), str(u.at("SHA-256")));
    EXPECT_EQ(digest_userhash(DigestAlgorithm::md5, "Mufasa", "http-auth@example.org"), str(u.at("MD5")));
}

// The rules list is prose; make sure the file still has what the tests above
// were written against, so a changed vector file fails loudly.
TEST(Rfc7616Vectors, FileShape) {
    const auto doc = load("rfc/rfc7616_digest.json");
    EXPECT_EQ(str(doc.at("rfc")), "RFC 7616");
    EXPECT_GE(doc.at("rules").as_array().size(), 10u);
}

// Digest credentials in the shared challenges corpus: those with a "semantic"
// error verdict must be refused by parse_digest, the others accepted.
TEST(ChallengesCorpusDigest, SemanticVerdicts) {
    const auto doc = load("challenges.json");
    std::size_t seen = 0, refused = 0;
    for (const auto& v : doc.at("cases").as_array()) {
        const auto& c = v.as_object();
        if (str(c.at("kind")) != "credentials" || !c.contains("field_value")) continue;
        const std::string value = str(c.at("field_value"));
        auto parsed = httpauth::parse_credentials(value);
        if (!parsed.ok() || !httpauth::iequals(parsed->scheme, "Digest")) continue;
        SCOPED_TRACE(str(c.at("id")));
        ++seen;
        auto r = parse_digest(parsed.value());
        if (const auto* sem = c.if_contains("semantic")) {
            ++refused;
            EXPECT_FALSE(r.ok()) << str(*sem);
            if (!r.ok() && str(*sem).find("username*") != std::string::npos) {
                EXPECT_EQ(r.error(), DigestError::bad_username);
            } else if (!r.ok() && (str(*sem).find("duplicate") != std::string::npos ||
                                   str(*sem).find("occur once") != std::string::npos)) {
                EXPECT_EQ(r.error(), DigestError::duplicate_param);
            }
        } else {
            EXPECT_TRUE(r.ok()) << to_string(r.error());
        }
    }
    EXPECT_EQ(seen, 5u);
    EXPECT_EQ(refused, 3u);
}

}  // namespace
}  // namespace gk::schemes
