// Every case of ../shared/vectors/rfc/rfc7617_basic.json.
//
// Policy choices the vectors leave open, as decided here:
// - basic-missing-padding / a-auth-basic-unpadded: REJECTED (bad_base64). RFC 7617
//   says base64 per RFC 4648 section 4, which keeps the padding; one spelling per
//   credential keeps the verified-credential cache from splitting.
// - basic-empty-user: decode_basic succeeds with user "" (it is well-formed); the
//   rejection is the directory lookup, so it becomes the same 401 as any unknown
//   user instead of a distinguishable 400.
// - basic-nfc-vs-nfd: NFC/PRECIS normalization is out of scope. Both spellings
//   decode, byte-exact, to DIFFERENT user-ids (U+00E9 vs e + U+0301); neither is
//   rewritten. A store that holds the NFC name matches only the NFC spelling.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/basic.hpp"

namespace gk::schemes {
namespace {

namespace json = boost::json;

json::object load() {
    std::ifstream in(std::string(GK_VECTORS_DIR) + "/rfc/rfc7617_basic.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).as_object();
}

// Authorization value -> Basic credentials, the way the gate does it. A value
// the generic RFC 9110 parser rejects never reaches decode_basic.
Result<BasicCredentials, BasicError> decode_header(std::string_view value) {
    auto c = httpauth::parse_credentials(value);
    EXPECT_TRUE(c.ok()) << value;
    if (!c) return fail(BasicError::missing_token);
    return decode_basic(c.value());
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

TEST(Rfc7617Vectors, PrintedCases) {
    const auto doc = load();
    std::size_t challenges = 0, credentials = 0;
    for (const auto& v : doc.at("cases").as_array()) {
        const auto& c = v.as_object();
        SCOPED_TRACE(str(c.at("id")));
        const std::string value = str(c.at("value"));
        if (c.at("kind").as_string() == "challenge") {
            ++challenges;
            auto r = httpauth::parse_challenges(value);
            ASSERT_TRUE(r.ok());
            ASSERT_EQ(r.value().size(), 1u);
            const auto& ch = r.value()[0];
            EXPECT_TRUE(httpauth::iequals(ch.scheme, "Basic"));
            ASSERT_NE(ch.param("realm"), nullptr);
            // What we emit parses to the same realm and charset.
            const auto ours = basic_challenge(ch.param("realm")->value);
            auto back = httpauth::parse_challenges(httpauth::format_challenge(ours));
            ASSERT_TRUE(back.ok());
            EXPECT_EQ(back.value()[0].param("realm")->value, ch.param("realm")->value);
            if (const auto* cs = ch.param("charset")) {
                EXPECT_TRUE(httpauth::iequals(cs->value, back.value()[0].param("charset")->value));
            }
            continue;
        }
        ++credentials;
        auto r = decode_header(value);
        ASSERT_TRUE(r.ok()) << to_string(r.error());
        EXPECT_EQ(r.value().user, str(c.at("user_id")));
        EXPECT_EQ(r.value().password.reveal(), str(c.at("password")));
        if (const auto* pv = c.if_contains("proxy_value")) {  // same decoding for Proxy-Authorization
            auto p = decode_header(str(*pv));
            ASSERT_TRUE(p.ok());
            EXPECT_EQ(p.value().password.reveal(), str(c.at("password")));
        }
    }
    EXPECT_EQ(challenges, 2u);
    EXPECT_EQ(credentials, 2u);
}

// The derived cases: expected outcome per id. Every id in the file must be
// listed here, so a new vector cannot be skipped silently.
struct Want {
    bool syntax_ok;     // parse_credentials accepts the value
    bool ok;
    BasicError error;   // when !ok
    const char* user;   // when ok
    const char* password;
};

const std::map<std::string, Want>& derived_expectations() {
    static const std::map<std::string, Want> m = {
        {"basic-colon-in-password", {true, true, {}, "Aladdin", "open:sesame"}},
        {"basic-no-colon", {true, false, BasicError::no_colon, nullptr, nullptr}},
        {"basic-empty-user", {true, true, {}, "", "secret"}},  // rejected later as unknown user (see top)
        {"basic-ctl-in-user", {true, false, BasicError::control_char, nullptr, nullptr}},
        {"basic-invalid-utf8", {true, false, BasicError::bad_utf8, nullptr, nullptr}},
        {"basic-noncanonical-pad-bits", {true, false, BasicError::bad_base64, nullptr, nullptr}},
        {"basic-missing-padding", {true, false, BasicError::bad_base64, nullptr, nullptr}},
        {"basic-two-spaces", {true, true, {}, "Aladdin", "open sesame"}},
        {"basic-lowercase-scheme", {true, true, {}, "Aladdin", "open sesame"}},
        // These three fail in the generic RFC 9110 parser already.
        {"basic-tab-separator", {false, false, {}, nullptr, nullptr}},
        {"basic-inner-space", {false, false, {}, nullptr, nullptr}},
        {"basic-trailing-param", {false, false, {}, nullptr, nullptr}},
    };
    return m;
}

TEST(Rfc7617Vectors, DerivedCases) {
    const auto doc = load();
    std::size_t ran = 0;
    for (const auto& v : doc.at("derived_cases").as_array()) {
        const auto& c = v.as_object();
        const std::string id = str(c.at("id"));
        SCOPED_TRACE(id);
        if (id == "basic-nfc-vs-nfd") {
            const auto& values = c.at("values").as_array();
            ASSERT_EQ(values.size(), 2u);
            auto nfc = decode_header(str(values[0]));
            auto nfd = decode_header(str(values[1]));
            ASSERT_TRUE(nfc.ok());
            ASSERT_TRUE(nfd.ok());
            // Byte-exact, no normalization (documented at the top of this file).
            EXPECT_EQ(nfc.value().user, "jos\xc3\xa9");
            EXPECT_EQ(nfd.value().user, "jose\xcc\x81");
            EXPECT_NE(nfc.value().user, nfd.value().user);
            EXPECT_EQ(nfc.value().password.reveal(), "pass");
            EXPECT_EQ(nfd.value().password.reveal(), "pass");
            ++ran;
            continue;
        }
        const auto it = derived_expectations().find(id);
        ASSERT_NE(it, derived_expectations().end()) << "new vector without an expectation: " << id;
        const Want& w = it->second;
        ++ran;
        if (!w.syntax_ok) {
            EXPECT_FALSE(httpauth::parse_credentials(str(c.at("value"))).ok());
            continue;
        }
        auto r = decode_header(str(c.at("value")));
        ASSERT_EQ(r.ok(), w.ok) << (r.ok() ? "decoded" : to_string(r.error()));
        if (w.ok) {
            EXPECT_EQ(r.value().user, w.user);
            EXPECT_EQ(r.value().password.reveal(), w.password);
        } else {
            EXPECT_EQ(r.error(), w.error) << to_string(r.error());
        }
    }
    EXPECT_EQ(ran, derived_expectations().size() + 1);
}

}  // namespace
}  // namespace gk::schemes
