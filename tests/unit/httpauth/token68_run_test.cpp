// token68_run: the table scan that Authorization parsing and the Bearer
// b64token check share, against the grammar's own rule, around the eight-wide
// step (runs of 0..20 characters, a stop at every offset).
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::httpauth {
namespace {

bool token68_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '+' || c == '/';
}

struct RunCase {
    const char* text;
    std::size_t run;
};

TEST(Token68Run, Table) {
    const RunCase cases[] = {
        {"", 0},
        {"=", 0},
        {"a", 1},
        {"abc==", 3},
        {"abcdefg", 7},
        {"abcdefgh", 8},
        {"abcdefghi", 9},
        {"abcdefgh=", 8},
        {"abcdefg,h", 7},
        {"-._~+/AZaz09", 12},
        {"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.sig_-", 42},
        {"abc def", 3},
        {"abcdefghijklmn\"op", 14},
        {"abcdefghijklmnop\xff", 16},
    };
    for (const auto& c : cases) EXPECT_EQ(token68_run(c.text), c.run) << '"' << c.text << '"';
}

TEST(Token68Run, EveryByteAtEveryOffset) {
    for (int b = 0; b < 256; ++b) {
        const auto ch = static_cast<char>(b);
        for (std::size_t at = 0; at < 20; ++at) {
            std::string s(20, 'A');
            s[at] = ch;
            const std::size_t want = token68_char(static_cast<unsigned char>(b)) ? 20 : at;
            ASSERT_EQ(token68_run(s), want) << "byte " << b << " at " << at;
        }
    }
}

}  // namespace
}  // namespace gk::httpauth
