// Well-formed UTF-8 (RFC 3629, Unicode Table 3-7), boundary by boundary.
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/httpauth/utf8.hpp"

namespace gk::httpauth {
namespace {

struct Utf8Case {
    const char* name;
    std::string bytes;
    bool ok;
};

const Utf8Case kCases[] = {
    {"empty", "", true},
    {"ascii", "alice", true},
    {"two_byte_min", "\xC2\x80", true},
    {"e_acute", "jos\xC3\xA9", true},
    {"three_byte_min", "\xE0\xA0\x80", true},
    {"last_before_surrogates", "\xED\x9F\xBF", true},
    {"after_surrogates", "\xEE\x80\x80", true},
    {"four_byte_min", "\xF0\x90\x80\x80", true},
    {"max_code_point", "\xF4\x8F\xBF\xBF", true},
    {"overlong_c0", "\xC0\xAF", false},
    {"overlong_c1", "\xC1\xBF", false},
    {"overlong_e0", "\xE0\x80\xAF", false},
    {"overlong_f0", "\xF0\x80\x80\xAF", false},
    {"surrogate", "\xED\xA0\x80", false},
    {"above_max", "\xF4\x90\x80\x80", false},
    {"f5_lead", "\xF5\x80\x80\x80", false},
    {"ff", "\xFF", false},
    {"stray_continuation", "a\x80", false},
    {"truncated_two", "\xC3", false},
    {"truncated_three", "\xE2\x82", false},
    {"truncated_four", "\xF0\x9F\x98", false},
    {"bad_third_byte", "\xE2\x82\x41", false},
    {"bad_fourth_byte", "\xF0\x9F\x98\x41", false},
};

class Utf8Table : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8Table, Verdict) { EXPECT_EQ(is_utf8(GetParam().bytes), GetParam().ok); }

INSTANTIATE_TEST_SUITE_P(Rfc3629, Utf8Table, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace gk::httpauth
