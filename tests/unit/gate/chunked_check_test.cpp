// Strict chunked framing (SECURITY.md S8): table of accepted and refused
// bodies, each fed whole and one byte at a time.
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/gate/chunked_check.hpp"

namespace gk::gate {
namespace {

using E = ChunkedError;

struct ChunkCase {
    const char* name;
    std::string body;
    E error;              // E::none: accepted
    std::size_t length;   // bytes that belong to the message when accepted (0: all)
};

const ChunkCase kCases[] = {
    {"one_chunk", "5\r\nhello\r\n0\r\n\r\n", E::none, 0},
    {"two_chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", E::none, 0},
    {"upper_hex", "A\r\n0123456789\r\n0\r\n\r\n", E::none, 0},
    {"leading_zeros", "0005\r\nhello\r\n000\r\n\r\n", E::none, 0},
    {"extension", "5;name=value\r\nhello\r\n0;x\r\n\r\n", E::none, 0},
    {"extension_bws", "5 ;name=\"v v\"\r\nhello\r\n0\r\n\r\n", E::none, 0},
    {"trailer", "5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Other:\r\n\r\n", E::none, 0},
    {"data_with_crlf", "4\r\n\r\n\r\n\r\n0\r\n\r\n", E::none, 0},
    {"data_with_bare_lf", "3\r\na\nb\r\n0\r\n\r\n", E::none, 0},
    {"empty_body", "0\r\n\r\n", E::none, 0},
    {"pipelined_rest_ignored", "0\r\n\r\nGET /x HTTP/1.1\r\n\n", E::none, 5},
    {"extension_quoted_pair", "5;a=\"x\\\"y\";b\r\nhello\r\n0\r\n\r\n", E::none, 0},
    {"extension_bws_around_equals", "5;a = b ; c\r\nhello\r\n0\r\n\r\n", E::none, 0},
    {"extension_quoted_obs_text", "5;a=\"\xe9\"\r\nhello\r\n0\r\n\r\n", E::none, 0},
    {"sixteen_digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", E::none, 0},
    // S8 rows and friends.
    {"lf_only_lines", "5\nhello\n0\n\n", E::bad_line_end, 0},
    {"lf_after_data", "5\r\nhello\n0\r\n\r\n", E::missing_crlf, 0},
    {"no_crlf_after_data", "5\r\nhelloXY0\r\n\r\n", E::missing_crlf, 0},
    {"bare_cr_in_size_line", "5\rX\nhello\r\n0\r\n\r\n", E::bad_line_end, 0},
    {"seventeen_digits", "ffffffffffffffff1\r\nhello\r\n0\r\n\r\n", E::bad_size, 0},
    {"negative_size", "-5\r\nhello\r\n0\r\n\r\n", E::bad_size, 0},
    {"hex_prefix", "0x5\r\nhello\r\n0\r\n\r\n", E::bad_size, 0},
    {"empty_size", "\r\nhello\r\n0\r\n\r\n", E::bad_size, 0},
    {"leading_space", " 5\r\nhello\r\n0\r\n\r\n", E::bad_size, 0},
    {"plus_sign", "+5\r\nhello\r\n0\r\n\r\n", E::bad_size, 0},
    {"extension_ctl", "5;a\x01\r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_lf", "5;a\nhello\r\n0\r\n\r\n", E::bad_line_end, 0},
    // RFC 9112 7.1.1: a quoted-string never spans the line end (Beast would wait for its quote).
    {"extension_quoted_unterminated", "5;a=\"x\r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_quoted_pair_cr", "5;a=\"x\\\r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_quoted_lf", "5;a=\"x\nhello\r\n0\r\n\r\n", E::bad_line_end, 0},
    {"extension_text_after_quote", "5;a=\"x\"y\r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_empty_name", "5;\r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_empty_value", "5;a=\r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_bws_without_semicolon", "5 \r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_trailing_bws", "5;a=b \r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"extension_name_not_token", "5;a@b\r\nhello\r\n0\r\n\r\n", E::bad_extension, 0},
    {"last_chunk_lf", "0\r\n\n", E::bad_line_end, 0},
    {"trailer_no_colon", "0\r\nX-Sum\r\n\r\n", E::bad_trailer, 0},
    {"trailer_obs_fold", "0\r\nX-A: 1\r\n  more\r\n\r\n", E::bad_trailer, 0},
    {"trailer_space_before_colon", "0\r\nX-A : 1\r\n\r\n", E::bad_trailer, 0},
    {"trailer_lf", "0\r\nX-A: 1\n\r\n", E::bad_line_end, 0},
    {"trailer_ctl", "0\r\nX-A: 1\x7f\r\n\r\n", E::bad_trailer, 0},
};

void expect_case(const ChunkCase& c, bool bytewise) {
    ChunkedCheck check;
    std::size_t used = 0;
    if (bytewise) {
        for (char ch : c.body) {
            if (check.done() || check.failed()) break;
            used += check.feed(std::string_view(&ch, 1));
        }
    } else {
        used = check.feed(c.body);
    }
    if (c.error == E::none) {
        EXPECT_FALSE(check.failed()) << to_string(check.error());
        EXPECT_TRUE(check.done());
        EXPECT_EQ(used, c.length ? c.length : c.body.size());
    } else {
        EXPECT_TRUE(check.failed());
        EXPECT_EQ(check.error(), c.error) << to_string(check.error());
        EXPECT_FALSE(check.done());
    }
}

class ChunkedCheckTable : public ::testing::TestWithParam<ChunkCase> {};

TEST_P(ChunkedCheckTable, Whole) { expect_case(GetParam(), false); }
TEST_P(ChunkedCheckTable, ByteByByte) { expect_case(GetParam(), true); }

INSTANTIATE_TEST_SUITE_P(S8, ChunkedCheckTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ChunkedCheck, IncompleteIsNeitherDoneNorFailed) {
    ChunkedCheck check;
    EXPECT_EQ(check.feed("5\r\nhel"), 6u);
    EXPECT_FALSE(check.done());
    EXPECT_FALSE(check.failed());
}

TEST(ChunkedCheck, LongExtensionIsRefused) {
    ChunkedCheck check;
    check.feed("5;" + std::string(ChunkedCheck::kMaxLine + 1, 'a'));
    EXPECT_EQ(check.error(), E::line_too_long);
}

TEST(ChunkedCheck, LargeChunkPassesWithoutCopying) {
    ChunkedCheck check;
    check.feed("40000000\r\n");  // 1 GiB chunk
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 1024; ++i) ASSERT_EQ(check.feed(block), block.size());
    check.feed("\r\n0\r\n\r\n");
    EXPECT_TRUE(check.done());
}

TEST(ChunkedCheck, EveryErrorHasText) {
    for (int i = 0; i <= static_cast<int>(E::line_too_long); ++i)
        EXPECT_STRNE(to_string(static_cast<E>(i)), "unknown chunked error");
}

}  // namespace
}  // namespace gk::gate
