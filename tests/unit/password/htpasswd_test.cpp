#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/password/htpasswd.hpp"

namespace gk::password {
namespace {

struct Expected {
    std::string user;
    std::string hash;
    int line;
};

struct GoodCase {
    std::string what;
    std::string text;
    std::vector<Expected> entries;
};

void PrintTo(const GoodCase& c, std::ostream* os) { *os << c.what; }

class HtpasswdGoodTest : public ::testing::TestWithParam<GoodCase> {};

TEST_P(HtpasswdGoodTest, Parses) {
    auto r = parse_htpasswd(GetParam().text);
    ASSERT_TRUE(r.ok()) << GetParam().what << ": " << r.error().message;
    const auto& got = r.value();
    ASSERT_EQ(got.size(), GetParam().entries.size()) << GetParam().what;
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].user, GetParam().entries[i].user) << GetParam().what;
        EXPECT_EQ(got[i].hash, GetParam().entries[i].hash) << GetParam().what;
        EXPECT_EQ(got[i].line, GetParam().entries[i].line) << GetParam().what;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HtpasswdGoodTest,
    ::testing::Values(
        GoodCase{"empty", "", {}}, GoodCase{"only newlines", "\n\n\r\n", {}},
        GoodCase{"one line, no final newline", "alice:$2y$05$x", {{"alice", "$2y$05$x", 1}}},
        GoodCase{"LF", "alice:h1\nbob:h2\n", {{"alice", "h1", 1}, {"bob", "h2", 2}}},
        GoodCase{"CRLF", "alice:h1\r\nbob:h2\r\n", {{"alice", "h1", 1}, {"bob", "h2", 2}}},
        GoodCase{"comments and blanks keep line numbers",
                 "# users\n\nalice:h1\n   \n\t\n#bob:h2\ncarol:h3\n",
                 {{"alice", "h1", 3}, {"carol", "h3", 7}}},
        GoodCase{"hash keeps later colons", "dave:a:b:c\n", {{"dave", "a:b:c", 1}}},
        GoodCase{"UTF-8 BOM is dropped", "\xEF\xBB\xBF" "alice:h\n", {{"alice", "h", 1}}},
        GoodCase{"UTF-8 user", "j\xC3\xB6rg:h\n", {{"j\xC3\xB6rg", "h", 1}}},
        GoodCase{"user with a space", "mary ann:h\n", {{"mary ann", "h", 1}}},
        GoodCase{"users differ by case", "Bob:h1\nbob:h2\n", {{"Bob", "h1", 1}, {"bob", "h2", 2}}}));

struct BadCase {
    std::string what;
    std::string text;
    int line;
    std::string message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.what; }

class HtpasswdBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(HtpasswdBadTest, FailsWithLineNumber) {
    auto r = parse_htpasswd(GetParam().text);
    ASSERT_FALSE(r.ok()) << GetParam().what;
    EXPECT_EQ(r.error().line, GetParam().line) << GetParam().what;
    EXPECT_EQ(r.error().message, GetParam().message) << GetParam().what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HtpasswdBadTest,
    ::testing::Values(
        BadCase{"no colon", "alice:h\njustaword\n", 2, "line 2: expected user:hash"},
        BadCase{"indented comment is not a comment", "  # note\n", 1, "line 1: expected user:hash"},
        BadCase{"empty user", ":secrethash\n", 1, "line 1: empty user name"},
        BadCase{"empty hash", "alice:\n", 1, "line 1: empty password hash"},
        BadCase{"CR inside", "al\rice:h\n", 1, "line 1: control character in user name"},
        BadCase{"tab in user", "al\tice:h\n", 1, "line 1: control character in user name"},
        BadCase{"NUL in user", std::string("al\0ice:h\n", 9), 1, "line 1: control character in user name"},
        BadCase{"DEL in user", "al\x7fice:h\n", 1, "line 1: control character in user name"},
        BadCase{"control char in hash", "alice:$2y$\x01secret\n", 1, "line 1: control character in password hash"},
        BadCase{"lone CR line end then text", "alice:h\r\r\n", 1, "line 1: control character in password hash"},
        BadCase{"duplicate", "alice:h1\n# x\nbob:h2\nalice:h3\n", 4,
                "line 4: duplicate user 'alice' (first on line 1)"},
        BadCase{"BOM later in the file", "a:h\n\xEF\xBB\xBF" "b:h\n", 2, "line 2: user name starts with a byte order mark"},
        BadCase{"two BOMs", "\xEF\xBB\xBF\xEF\xBB\xBF" "b:h\n", 1, "line 1: user name starts with a byte order mark"},
        BadCase{"huge line", "alice:" + std::string(9000, 'h') + "\n", 1, "line 1: line too long"}));

// Messages may name users and line numbers, never any part of a hash.
TEST(HtpasswdTest, ErrorsNeverQuoteTheHash) {
    for (std::string_view text : {"alice:$2y$SECRET\x01\n", "alice:$2y$SECRET\nalice:$2y$SECRET2\n",
                                   ":$2y$SECRET\n"}) {
        auto r = parse_htpasswd(text);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().message.find("SECRET"), std::string::npos) << r.error().message;
        EXPECT_EQ(r.error().message.find("$2y$"), std::string::npos) << r.error().message;
    }
}

TEST(HtpasswdTest, FormatWritesOneLinePerEntry) {
    std::vector<HtpasswdEntry> entries{{"alice", "$2y$05$abc", 0}, {"bob", "{SHA}xyz=", 0}};
    EXPECT_EQ(format_htpasswd(entries), "alice:$2y$05$abc\nbob:{SHA}xyz=\n");
    EXPECT_EQ(format_htpasswd({}), "");
}

TEST(HtpasswdTest, FixtureFilesRoundTrip) {
    for (const char* file : {"apache.htpasswd", "other.htpasswd", "argon2.htpasswd"}) {
        auto first = parse_htpasswd(test::read_testdata(file));
        ASSERT_TRUE(first.ok()) << file << ": " << first.error().message;
        ASSERT_FALSE(first.value().empty()) << file;
        const std::string text = format_htpasswd(first.value());
        auto second = parse_htpasswd(text);
        ASSERT_TRUE(second.ok()) << file;
        ASSERT_EQ(second.value().size(), first.value().size());
        for (std::size_t i = 0; i < first.value().size(); ++i) {
            EXPECT_EQ(second.value()[i].user, first.value()[i].user);
            EXPECT_EQ(second.value()[i].hash, first.value()[i].hash);
        }
        EXPECT_EQ(format_htpasswd(second.value()), text);
    }
}

TEST(HtpasswdTest, ApacheFixtureHasEveryHtpasswdFormat) {
    auto r = parse_htpasswd(test::read_testdata("apache.htpasswd"));
    ASSERT_TRUE(r.ok());
    std::vector<Format> seen;
    for (const auto& e : r.value()) seen.push_back(detect(e.hash));
    for (Format f : {Format::bcrypt, Format::apr1, Format::sha1, Format::sha256_crypt, Format::sha512_crypt,
                     Format::des_crypt})
        EXPECT_NE(std::find(seen.begin(), seen.end(), f), seen.end()) << to_string(f);
}

}  // namespace
}  // namespace gk::password
