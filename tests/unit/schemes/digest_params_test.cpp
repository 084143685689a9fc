// parse_digest beyond the RFC vectors: every required parameter missing, every
// error, and the policy choices the RFC leaves open:
// - values may be quoted or not (qop="auth" is what some clients send; the
//   meaning is the same), but qop must be exactly "auth" or "auth-int";
// - response hex may be upper-case and is stored lower-case; nc hex may be
//   upper-case and is kept as sent (it is hashed as sent);
// - nc 00000000 is refused (counts start at 1);
// - username* must be an unquoted RFC 8187 UTF-8 ext-value decoding to UTF-8.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace gk::schemes {
namespace {

// RFC 7616 3.9.1 (MD5), parameter by parameter as written on the wire.
using Params = std::vector<std::pair<std::string, std::string>>;
const Params kBase = {
    {"username", "\"Mufasa\""},
    {"realm", "\"http-auth@example.org\""},
    {"uri", "\"/dir/index.html\""},
    {"algorithm", "MD5"},
    {"nonce", "\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\""},
    {"nc", "00000001"},
    {"cnonce", "\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\""},
    {"qop", "auth"},
    {"response", "\"8ca523f5e9506fed4657c9700eebdbec\""},
    {"opaque", "\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""},
};

std::string render(const Params& ps, std::string scheme = "Digest") {
    std::string out = std::move(scheme);
    for (std::size_t i = 0; i < ps.size(); ++i) {
        out += i == 0 ? " " : ", ";
        out += ps[i].first + "=" + ps[i].second;
    }
    return out;
}

// kBase with `name` set to `raw` (replaced in place, or appended).
std::string with(std::string_view name, std::string raw) {
    Params ps = kBase;
    bool found = false;
    for (auto& [n, v] : ps) {
        if (n == name) { v = raw; found = true; }
    }
    if (!found) ps.emplace_back(std::string(name), std::move(raw));
    return render(ps);
}

std::string without(std::string_view name) {
    Params ps;
    for (const auto& p : kBase) {
        if (p.first != name) ps.push_back(p);
    }
    return render(ps);
}

std::string plus(Params extra) {
    Params ps = kBase;
    ps.insert(ps.end(), extra.begin(), extra.end());
    return render(ps);
}

// `base` with each of `changes` replaced in place or appended.
std::string edit(Params base, const Params& changes) {
    for (const auto& [cn, cv] : changes) {
        bool found = false;
        for (auto& [n, v] : base) {
            if (n == cn) { v = cv; found = true; }
        }
        if (!found) base.emplace_back(cn, cv);
    }
    return render(base);
}

// kBase switched to SHA-256 with a 64-digit response (the 3.9.1 SHA-256 value).
std::string sha256_with(const Params& changes) {
    Params ps = kBase;
    for (auto& [n, v] : ps) {
        if (n == "algorithm") v = "SHA-256";
        if (n == "response") v = "\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"";
    }
    return edit(ps, changes);
}

using Check = std::function<void(const DigestCredentials&)>;

struct Case {
    const char* name;
    std::string header;
    std::optional<DigestError> error;  // nullopt = accepted
    Check check = {};
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ParseDigest : public ::testing::TestWithParam<Case> {};

TEST_P(ParseDigest, Table) {
    const auto& c = GetParam();
    auto creds = httpauth::parse_credentials(c.header);
    ASSERT_TRUE(creds.ok()) << "generic grammar refused: " << c.header;
    auto r = parse_digest(creds.value());
    if (c.error) {
        ASSERT_FALSE(r.ok()) << c.header;
        EXPECT_EQ(r.error(), *c.error) << to_string(r.error()) << " for " << c.header;
        return;
    }
    ASSERT_TRUE(r.ok()) << to_string(r.error()) << " for " << c.header;
    // Invariants of every accepted value.
    EXPECT_EQ(r->nc_text.size(), 8u);
    EXPECT_GE(r->nc, 1u);
    EXPECT_EQ(r->response.size(), hex_length(r->algorithm));
    EXPECT_EQ(r->response.find_first_not_of("0123456789abcdef"), std::string::npos);
    if (c.check) c.check(r.value());
}

const std::string k1025(1025, 'r');
const std::string k1024(1024, 'r');

INSTANTIATE_TEST_SUITE_P(
    Accepted, ParseDigest,
    ::testing::Values(
        Case{"rfc_md5", render(kBase), std::nullopt,
             [](const DigestCredentials& d) {
                 EXPECT_EQ(d.username, "Mufasa");
                 EXPECT_FALSE(d.userhash);
                 EXPECT_EQ(d.realm, "http-auth@example.org");
                 EXPECT_EQ(d.uri, "/dir/index.html");
                 EXPECT_EQ(d.algorithm, DigestAlgorithm::md5);
                 EXPECT_EQ(d.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
                 EXPECT_EQ(d.cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
                 EXPECT_EQ(d.opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
                 EXPECT_EQ(d.qop, DigestCredentials::Qop::auth);
                 EXPECT_EQ(d.nc, 1u);
                 EXPECT_EQ(d.nc_text, "00000001");
                 EXPECT_EQ(d.response, "8ca523f5e9506fed4657c9700eebdbec");
             }},
        Case{"algorithm_absent_is_md5", without("algorithm"), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.algorithm, DigestAlgorithm::md5); }},
        Case{"scheme_case_insensitive", "dIGEST" + render(kBase).substr(6), std::nullopt},
        Case{"param_names_case_insensitive", render({{"USERNAME", "\"Mufasa\""}, {"Realm", "\"r\""},
                                                     {"URI", "\"/\""}, {"Nonce", "\"n\""}, {"NC", "00000001"},
                                                     {"CNonce", "\"c\""}, {"QOP", "auth"},
                                                     {"Response", "\"8ca523f5e9506fed4657c9700eebdbec\""}}),
             std::nullopt, [](const DigestCredentials& d) { EXPECT_EQ(d.username, "Mufasa"); }},
        Case{"algorithm_case_insensitive", with("algorithm", "md5-SESS"), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.algorithm, DigestAlgorithm::md5_sess); }},
        Case{"algorithm_quoted", with("algorithm", "\"MD5\""), std::nullopt},
        Case{"unknown_params_ignored", plus({{"foo", "\"bar\""}, {"charset", "UTF-8"}}), std::nullopt},
        Case{"no_opaque", without("opaque"), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_TRUE(d.opaque.empty()); }},
        Case{"response_upper_case_stored_lower", with("response", "\"8CA523F5E9506FED4657C9700EEBDBEC\""),
             std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.response, "8ca523f5e9506fed4657c9700eebdbec"); }},
        Case{"response_unquoted", with("response", "8ca523f5e9506fed4657c9700eebdbec"), std::nullopt},
        Case{"qop_quoted_single_value", with("qop", "\"auth\""), std::nullopt},
        Case{"qop_auth_int", with("qop", "auth-int"), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.qop, DigestCredentials::Qop::auth_int); }},
        Case{"nc_hex_kept_as_sent", with("nc", "0000001A"), std::nullopt,
             [](const DigestCredentials& d) {
                 EXPECT_EQ(d.nc, 26u);
                 EXPECT_EQ(d.nc_text, "0000001A");
             }},
        Case{"nc_max", with("nc", "ffffffff"), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.nc, 0xFFFFFFFFu); }},
        Case{"empty_username_is_well_formed", with("username", "\"\""), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.username, ""); }},
        Case{"raw_utf8_username", with("username", "\"J\xC3\xA4s\xC3\xB8n Doe\""), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.username, "J\xC3\xA4s\xC3\xB8n Doe"); }},
        Case{"username_star", without("username") + ", username*=UTF-8''J%C3%A4s%C3%B8n%20Doe", std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.username, "J\xC3\xA4s\xC3\xB8n Doe"); }},
        Case{"username_star_charset_case_and_language",
             without("username") + ", username*=utf-8'en-US'Mufasa", std::nullopt,
             [](const DigestCredentials& d) { EXPECT_EQ(d.username, "Mufasa"); }},
        Case{"userhash_true_hex_username_lowered",
             sha256_with({{"username", "\"A947AAD205E80E429958A387394944C6B496301E79F89D35A4CC23B6EE12B5B6\""},
                          {"userhash", "true"}}),
             std::nullopt,
             [](const DigestCredentials& d) {
                 EXPECT_TRUE(d.userhash);
                 EXPECT_EQ(d.username, "a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6");
             }},
        Case{"userhash_false_explicit", with("userhash", "FALSE"), std::nullopt,
             [](const DigestCredentials& d) { EXPECT_FALSE(d.userhash); }},
        Case{"value_at_limit", with("realm", "\"" + k1024 + "\""), std::nullopt}));

INSTANTIATE_TEST_SUITE_P(
    Missing, ParseDigest,
    ::testing::Values(Case{"no_username", without("username"), DigestError::missing_param},
                      Case{"no_realm", without("realm"), DigestError::missing_param},
                      Case{"no_nonce", without("nonce"), DigestError::missing_param},
                      Case{"no_uri", without("uri"), DigestError::missing_param},
                      Case{"no_response", without("response"), DigestError::missing_param},
                      Case{"no_qop", without("qop"), DigestError::missing_param},
                      Case{"no_cnonce", without("cnonce"), DigestError::missing_param},
                      Case{"no_nc", without("nc"), DigestError::missing_param},
                      Case{"rfc2069_form",
                           render({{"username", "\"Mufasa\""}, {"realm", "\"r\""}, {"nonce", "\"n\""},
                                   {"uri", "\"/\""}, {"response", "\"8ca523f5e9506fed4657c9700eebdbec\""}}),
                           DigestError::missing_param},
                      Case{"empty_nonce", with("nonce", "\"\""), DigestError::missing_param},
                      Case{"empty_uri", with("uri", "\"\""), DigestError::missing_param},
                      Case{"empty_cnonce", with("cnonce", "\"\""), DigestError::missing_param},
                      Case{"scheme_only", "Digest", DigestError::missing_param}));

INSTANTIATE_TEST_SUITE_P(
    Refused, ParseDigest,
    ::testing::Values(
        Case{"basic_scheme", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", DigestError::not_digest},
        Case{"basic_scheme_with_digest_params", render(kBase, "Basic"), DigestError::not_digest},
        Case{"digest_prefix_scheme", render(kBase, "DigestX"), DigestError::not_digest},
        Case{"token68", "Digest dXNlcm5hbWU9TXVmYXNh==", DigestError::not_params},
        Case{"duplicate_username", plus({{"username", "\"Other\""}}), DigestError::duplicate_param},
        Case{"duplicate_nonce", plus({{"nonce", "\"b\""}}), DigestError::duplicate_param},
        Case{"duplicate_nc_other_case", plus({{"NC", "00000002"}}), DigestError::duplicate_param},
        Case{"duplicate_unknown_param", plus({{"foo", "1"}, {"foo", "2"}}), DigestError::duplicate_param},
        Case{"duplicate_same_value", plus({{"qop", "auth"}}), DigestError::duplicate_param},
        Case{"value_too_long", with("realm", "\"" + k1025 + "\""), DigestError::too_long},
        Case{"unknown_param_too_long", plus({{"x", "\"" + k1025 + "\""}}), DigestError::too_long},
        Case{"nc_7_digits", with("nc", "0000001"), DigestError::bad_nc},
        Case{"nc_9_digits", with("nc", "000000001"), DigestError::bad_nc},
        Case{"nc_non_hex", with("nc", "0000000g"), DigestError::bad_nc},
        Case{"nc_sign", with("nc", "+0000001"), DigestError::bad_nc},
        Case{"nc_zero", with("nc", "00000000"), DigestError::bad_nc},
        Case{"nc_empty_quoted", with("nc", "\"\""), DigestError::bad_nc},
        Case{"qop_list", with("qop", "\"auth, auth-int\""), DigestError::bad_qop},
        Case{"qop_list_no_space", with("qop", "\"auth,auth-int\""), DigestError::bad_qop},
        Case{"qop_upper", with("qop", "AUTH"), DigestError::bad_qop},
        Case{"qop_unknown", with("qop", "auth-conf"), DigestError::bad_qop},
        Case{"qop_empty", with("qop", "\"\""), DigestError::bad_qop},
        Case{"qop_padded", with("qop", "\" auth\""), DigestError::bad_qop},
        Case{"algorithm_sha1", with("algorithm", "SHA-1"), DigestError::bad_algorithm},
        Case{"algorithm_sha512", with("algorithm", "SHA-512"), DigestError::bad_algorithm},
        Case{"algorithm_sess_typo", with("algorithm", "MD5-sessx"), DigestError::bad_algorithm},
        Case{"algorithm_empty", with("algorithm", "\"\""), DigestError::bad_algorithm},
        Case{"response_31", with("response", "\"8ca523f5e9506fed4657c9700eebdbe\""), DigestError::bad_response},
        Case{"response_33", with("response", "\"8ca523f5e9506fed4657c9700eebdbec0\""), DigestError::bad_response},
        Case{"response_non_hex", with("response", "\"8ca523f5e9506fed4657c9700eebdbeg\""),
             DigestError::bad_response},
        Case{"response_md5_length_for_sha256", sha256_with({{"response", "\"8ca523f5e9506fed4657c9700eebdbec\""}}),
             DigestError::bad_response},
        Case{"response_sha256_length_for_md5",
             with("response", "\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""),
             DigestError::bad_response},
        Case{"username_and_username_star", plus({{"username*", "UTF-8''Mufasa"}}), DigestError::bad_username},
        Case{"username_star_then_username_with_bad_response",
             render({{"username*", "UTF-8''Mufasa"}, {"username", "\"Mufasa\""}, {"realm", "\"r\""},
                     {"uri", "\"/\""}, {"nonce", "\"n\""}, {"nc", "00000001"}, {"cnonce", "\"c\""},
                     {"qop", "auth"}, {"response", "\"00\""}}),
             DigestError::bad_username},
        Case{"username_star_bad_percent", without("username") + ", username*=UTF-8''%ZZ", DigestError::bad_username},
        Case{"username_star_truncated_percent", without("username") + ", username*=UTF-8''ab%4",
             DigestError::bad_username},
        Case{"username_star_latin1", without("username") + ", username*=ISO-8859-1''J%E4son",
             DigestError::bad_username},
        Case{"username_star_not_utf8", without("username") + ", username*=UTF-8''J%E4son", DigestError::bad_username},
        Case{"username_star_overlong", without("username") + ", username*=UTF-8''%C0%AF", DigestError::bad_username},
        Case{"username_star_ctl", without("username") + ", username*=UTF-8''a%00b", DigestError::bad_username},
        Case{"username_star_no_quotes", without("username") + ", username*=Mufasa", DigestError::bad_username},
        Case{"username_star_one_quote", without("username") + ", username*=UTF-8'Mufasa", DigestError::bad_username},
        Case{"username_star_non_attr_char", without("username") + ", username*=UTF-8''a*b",
             DigestError::bad_username},
        Case{"username_star_bad_language", without("username") + ", username*=UTF-8'e%6E'Mufasa",
             DigestError::bad_username},
        Case{"username_star_quoted", without("username") + ", username*=\"UTF-8''Mufasa\"",
             DigestError::bad_username},
        Case{"username_raw_latin1", with("username", "\"J\xE4son\""), DigestError::bad_username},
        Case{"username_tab", with("username", "\"a\tb\""), DigestError::bad_username},
        Case{"userhash_not_hex", with("userhash", "true"), DigestError::bad_username},
        Case{"userhash_wrong_length",
             edit(kBase, {{"username", "\"4238f3a16167373febb9bc4d43db9cc\""}, {"userhash", "true"}}),
             DigestError::bad_username},
        Case{"userhash_sha256_length_for_md5",
             edit(kBase, {{"username", "\"a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6\""},
                          {"userhash", "true"}}),
             DigestError::bad_username},
        Case{"userhash_with_username_star",
             without("username") + ", userhash=true, username*=UTF-8''4238f3a16167373febb9bc4d43db9cc4",
             DigestError::bad_username},
        Case{"userhash_bad_value", with("userhash", "yes"), DigestError::bad_userhash}));

TEST(ParseDigestErrors, EveryErrorHasAString) {
    for (auto e : {DigestError::not_digest, DigestError::not_params, DigestError::missing_param,
                   DigestError::duplicate_param, DigestError::too_long, DigestError::bad_username,
                   DigestError::bad_userhash, DigestError::bad_algorithm, DigestError::bad_qop, DigestError::bad_nc,
                   DigestError::bad_response}) {
        EXPECT_STRNE(to_string(e), "unknown Digest error");
    }
}

TEST(ParseDigestUserhash, Md5LengthHashAccepted) {
    // 3.4.4 with MD5: the hashed name is 32 hex digits (computed_not_printed value).
    auto c = httpauth::parse_credentials(
        with("username", "\"4238f3a16167373febb9bc4d43db9cc4\"") + ", userhash=true");
    ASSERT_TRUE(c.ok());
    auto r = parse_digest(c.value());
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_TRUE(r->userhash);
    EXPECT_EQ(r->username, "4238f3a16167373febb9bc4d43db9cc4");
}

}  // namespace
}  // namespace gk::schemes
