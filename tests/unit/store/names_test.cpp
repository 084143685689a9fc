#include "store/names.hpp"

#include <gtest/gtest.h>

namespace gk::store {
namespace {

struct NameCase {
    std::string input;
    bool user_ok;
    bool group_ok;
};

class Names : public ::testing::TestWithParam<NameCase> {};

TEST_P(Names, UserAndGroupRules) {
    const auto& c = GetParam();
    EXPECT_EQ(check_user_name(c.input).ok(), c.user_ok) << "user '" << c.input << "'";
    EXPECT_EQ(check_group_name(c.input).ok(), c.group_ok) << "group '" << c.input << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Table, Names,
    ::testing::Values(NameCase{"alice", true, true}, NameCase{"a", true, true},
                      NameCase{"Zoë.d-1_x@example.org", true, true},   // UTF-8 and mail-like names are fine
                      NameCase{"", false, false},
                      NameCase{"al:ice", false, true},                  // RFC 7617: no ':' in user-id
                      NameCase{"a,b", true, false},                     // groups are comma-joined in headers
                      NameCase{"#admin", false, true},                  // would be an htpasswd comment
                      NameCase{"bob\n", false, false}, NameCase{"bob\r", false, false},
                      NameCase{std::string("b\0b", 3), false, false}, NameCase{"b\x7f", false, false},
                      NameCase{" bob", false, false}, NameCase{"bob ", false, false},
                      NameCase{"bob\t", false, false}, NameCase{"with space", true, true},
                      NameCase{std::string(255, 'x'), true, true}, NameCase{std::string(256, 'x'), false, false}));

TEST(Names, Email) {
    EXPECT_TRUE(check_email("").ok());
    EXPECT_TRUE(check_email("alice@example.org").ok());
    for (const char* bad : {"alice", "@example.org", "alice@", "a@b@c", "a b@c", "a@b\r\nX-Evil: 1"})
        EXPECT_FALSE(check_email(bad).ok()) << bad;
    EXPECT_FALSE(check_email(std::string(300, 'a') + "@" + std::string(30, 'b')).ok());
}

TEST(Names, MessagesNameTheProblem) {
    EXPECT_NE(check_user_name("a:b").error().find("':'"), std::string::npos);
    EXPECT_NE(check_user_name("").error().find("empty"), std::string::npos);
}

}  // namespace
}  // namespace gk::store
