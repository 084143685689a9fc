// Every case of ../shared/vectors/challenges.json through parse_challenges or
// parse_credentials: the syntax verdict and, when it parses, the challenges.
//
// How the corpus conventions map onto the API:
// - field_lines are combined as "a, b" (RFC 9110 section 5.3) for challenges.
//   For credentials the combined value also fails, as the corpus expects
//   (Authorization is a singleton; the gate additionally answers 400 when it
//   sees two Authorization fields).
// - field_value_hex carries raw octets; expected values are then the ISO-8859-1
//   view, i.e. each code point < 256 stands for one octet.
// - obs-fold inside a challenge value (gb-simplebasiclf, rfc9110-11.6.1-example)
//   is unfolded by parse_challenges itself, as RFC 9112 5.2 requires of a user
//   agent; parse_credentials (server side) rejects any CR/LF.
// - expected param names are "as written": ours are lower-cased, so names are
//   compared case-insensitively; schemes are kept as written and compared exactly.
// - "semantic" verdicts (duplicates, Basic without realm, ...) belong to the
//   schemes, not to this parser: only expect.syntax is asserted here.
// Deliberate deviations from the corpus: none.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gatekeeper/httpauth/challenge.hpp"
#include "../test_hex.hpp"

namespace gk::httpauth {
namespace {

namespace json = boost::json;

json::value load_corpus() {
    std::ifstream in(std::string(GK_VECTORS_DIR) + "/challenges.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

using gk::test::unhex;

// UTF-8 text whose code points are all < 256 -> one octet per code point.
std::string latin1_octets(std::string_view utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            // Only 2-byte sequences (U+0080..U+07FF) can occur, and only < U+0100.
            const auto c2 = static_cast<unsigned char>(utf8[++i]);
            out.push_back(static_cast<char>(((c & 0x1F) << 6) | (c2 & 0x3F)));
        }
    }
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Case {
    std::string id;
    std::string kind;
    std::string input;
    bool hex = false;
    json::object expect;
};

std::vector<Case> cases() {
    static const json::value doc = load_corpus();
    std::vector<Case> out;
    for (const auto& v : doc.at("cases").as_array()) {
        const auto& o = v.as_object();
        Case c;
        c.id = std::string(o.at("id").as_string());
        c.kind = std::string(o.at("kind").as_string());
        if (const auto* fv = o.if_contains("field_value")) {
            c.input = std::string(fv->as_string());
        } else if (const auto* hx = o.if_contains("field_value_hex")) {
            c.input = unhex(hx->as_string());
            c.hex = true;
        } else {
            const auto& lines = o.at("field_lines").as_array();
            for (std::size_t i = 0; i < lines.size(); ++i) {
                if (i) c.input += ", ";
                c.input += std::string(lines[i].as_string());
            }
        }
        c.expect = o.at("expect").as_object();
        out.push_back(std::move(c));
    }
    return out;
}

void expect_same(const Case& c, const std::vector<Challenge>& got) {
    const auto& want = c.expect.at("challenges").as_array();
    ASSERT_EQ(got.size(), want.size()) << c.id;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto& w = want[i].as_object();
        const auto& g = got[i];
        EXPECT_EQ(g.scheme, std::string(w.at("scheme").as_string())) << c.id << " #" << i;
        if (const auto* t = w.if_contains("token68")) {
            ASSERT_TRUE(g.token68.has_value()) << c.id << " #" << i;
            EXPECT_EQ(*g.token68, std::string(t->as_string())) << c.id;
            EXPECT_TRUE(g.params.empty()) << c.id;
            continue;
        }
        EXPECT_FALSE(g.token68.has_value()) << c.id << " #" << i;
        const json::array none;
        const auto* wp = w.if_contains("params");
        const auto& params = wp ? wp->as_array() : none;
        ASSERT_EQ(g.params.size(), params.size()) << c.id << " #" << i;
        for (std::size_t k = 0; k < params.size(); ++k) {
            const auto& pair = params[k].as_array();
            std::string value(pair.at(1).as_string());
            if (c.hex) value = latin1_octets(value);
            EXPECT_EQ(g.params[k].name, lower(std::string(pair.at(0).as_string()))) << c.id << " param " << k;
            EXPECT_EQ(g.params[k].value, value) << c.id << " param " << k;
        }
    }
}

TEST(ChallengesCorpus, EveryCase) {
    const auto all = cases();
    ASSERT_EQ(all.size(), 106u);  // the README's count: a missing file fails loudly
    std::size_t ok_cases = 0, error_cases = 0;
    for (const auto& c : all) {
        SCOPED_TRACE(c.id);
        const bool want_ok = c.expect.at("syntax").as_string() == "ok";
        ++(want_ok ? ok_cases : error_cases);
        if (c.kind == "challenge") {
            auto r = parse_challenges(c.input);
            EXPECT_EQ(r.ok(), want_ok) << c.id << ": " << (r.ok() ? "parsed" : to_string(r.error()));
            if (want_ok && r.ok()) expect_same(c, r.value());
        } else {
            ASSERT_EQ(c.kind, "credentials");
            auto r = parse_credentials(c.input);
            EXPECT_EQ(r.ok(), want_ok) << c.id << ": " << (r.ok() ? "parsed" : to_string(r.error()));
            if (want_ok && r.ok()) expect_same(c, {r.value()});
        }
    }
    // Both verdicts were exercised (guards against a corpus read as all-ok).
    EXPECT_GT(ok_cases, 50u);
    EXPECT_GT(error_cases, 20u);
}

// Whatever parses re-parses identically after formatting (the fuzz property,
// run here on the corpus so plain `ctest` checks it too).
TEST(ChallengesCorpus, FormatRoundTrip) {
    for (const auto& c : cases()) {
        if (c.kind != "challenge") continue;
        auto r = parse_challenges(c.input);
        if (!r.ok()) continue;
        const std::string text = format_challenges(r.value());
        auto again = parse_challenges(text);
        ASSERT_TRUE(again.ok()) << c.id << ": " << text;
        ASSERT_EQ(again.value().size(), r.value().size()) << c.id;
        for (std::size_t i = 0; i < r.value().size(); ++i) {
            const auto& a = r.value()[i];
            const auto& b = again.value()[i];
            EXPECT_EQ(a.scheme, b.scheme) << c.id;
            EXPECT_EQ(a.token68, b.token68) << c.id;
            ASSERT_EQ(a.params.size(), b.params.size()) << c.id;
            for (std::size_t k = 0; k < a.params.size(); ++k) {
                EXPECT_EQ(a.params[k].name, b.params[k].name) << c.id;
                EXPECT_EQ(a.params[k].value, b.params[k].value) << c.id;
                EXPECT_EQ(a.params[k].quoted, b.params[k].quoted) << c.id;
            }
        }
        EXPECT_EQ(format_challenges(again.value()), text) << c.id;  // formatting is a fixed point
    }
}

}  // namespace
}  // namespace gk::httpauth
