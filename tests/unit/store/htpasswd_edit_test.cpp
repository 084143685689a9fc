#include "store/htpasswd_edit.hpp"

#include <gtest/gtest.h>

#include <cctype>

namespace gk::store {
namespace {
using Kind = StoreError::Kind;

struct EditCase {
    const char* name;
    std::string before;
    std::string after;
};

class HtpasswdAdd : public ::testing::TestWithParam<EditCase> {};

TEST_P(HtpasswdAdd, AppendsKeepingEverythingElse) {
    auto r = htpasswd_add(GetParam().before, "carol", "H3");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value(), GetParam().after);
}

INSTANTIATE_TEST_SUITE_P(
    Table, HtpasswdAdd,
    ::testing::Values(EditCase{"empty", "", "carol:H3\n"},
                      EditCase{"comments kept", "# users\nalice:H1\n\n# end\n", "# users\nalice:H1\n\n# end\ncarol:H3\n"},
                      EditCase{"no final newline", "alice:H1", "alice:H1\ncarol:H3\n"},
                      EditCase{"crlf file stays crlf", "alice:H1\r\n", "alice:H1\r\ncarol:H3\r\n"},
                      EditCase{"bom kept", "\xEF\xBB\xBF" "alice:H1\n", "\xEF\xBB\xBF" "alice:H1\ncarol:H3\n"}),
    [](const auto& info) {
        std::string n = info.param.name;
        for (auto& c : n) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        return n;
    });

TEST(HtpasswdEdit, SetReplacesOnlyThatLine) {
    const std::string before = "# top\nalice:H1\r\nbob:H2\n# tail";
    auto r = htpasswd_set(before, "alice", "NEW");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value(), "# top\nalice:NEW\r\nbob:H2\n# tail");
    auto last = htpasswd_set("alice:H1\nbob:H2", "bob", "NEW");
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last.value(), "alice:H1\nbob:NEW") << "a last line without newline stays without";
    auto bom = htpasswd_set("\xEF\xBB\xBF" "alice:H1\n", "alice", "NEW");
    ASSERT_TRUE(bom.ok());
    EXPECT_EQ(bom.value(), "\xEF\xBB\xBF" "alice:NEW\n");
}

TEST(HtpasswdEdit, RemoveDropsOnlyThatLine) {
    auto r = htpasswd_remove("# top\nalice:H1\nbob:H2\n\n", "alice");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value(), "# top\nbob:H2\n\n");
    auto only = htpasswd_remove("alice:H1", "alice");
    ASSERT_TRUE(only.ok());
    EXPECT_EQ(only.value(), "");
}

TEST(HtpasswdEdit, Errors) {
    struct Case {
        const char* what;
        Result<std::string, StoreError> result;
        Kind kind;
    };
    const std::string text = "alice:H1\nbob:H2\n";
    Case cases[] = {
        {"add existing", htpasswd_add(text, "alice", "X"), Kind::exists},
        {"set unknown", htpasswd_set(text, "carol", "X"), Kind::not_found},
        {"remove unknown", htpasswd_remove(text, "carol"), Kind::not_found},
        {"prefix is not a match", htpasswd_remove(text, "ali"), Kind::not_found},
        {"comment is not a user", htpasswd_remove("#alice:H1\n", "#alice"), Kind::not_found},
        {"add colon name", htpasswd_add(text, "a:b", "X"), Kind::invalid},
        {"add newline name", htpasswd_add(text, "eve\nmallory", "X"), Kind::invalid},
        {"add newline hash", htpasswd_add(text, "carol", "X\nmallory:Y"), Kind::invalid},
        {"set newline hash", htpasswd_set(text, "alice", "X\r\nmallory:Y"), Kind::invalid},
        {"add empty hash", htpasswd_add(text, "carol", ""), Kind::invalid},
        {"broken file add", htpasswd_add("alice:H1\ngarbage\n", "carol", "X"), Kind::unavailable},
        {"broken file remove", htpasswd_remove("alice:H1\nalice:H2\n", "alice"), Kind::unavailable},
    };
    for (const auto& c : cases) {
        ASSERT_FALSE(c.result.ok()) << c.what;
        EXPECT_EQ(c.result.error().kind, c.kind) << c.what;
        EXPECT_FALSE(c.result.error().message.empty()) << c.what;
    }
    auto broken = htpasswd_add("alice:H1\ngarbage\n", "carol", "X");
    EXPECT_NE(broken.error().message.find("line 2"), std::string::npos) << broken.error().message;
}

}  // namespace
}  // namespace gk::store
