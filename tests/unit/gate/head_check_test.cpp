// check_request_head against SECURITY.md 5 (S1-S7, S9, S10) and 5.1 (the Beast
// 1.81 gaps), with the raw bytes written out. S8 (chunk framing) is a body
// matter and is not decided by the head.
#include "gatekeeper/gate/head_check.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace gk::gate {
namespace {

using E = HeadError;
using namespace std::string_literals;  // "..."s keeps embedded NULs

struct HeadCase {
    const char* name;
    std::string raw;
    std::optional<E> error;
};

HeadCase bad(const char* name, std::string raw, E e) { return {name, std::move(raw), e}; }

// Request line + fields + the final empty line.
std::string head(std::string request_line, std::string fields) {
    return request_line + "\r\n" + fields + "\r\n";
}
std::string post(std::string fields) { return head("POST /upload HTTP/1.1", "Host: a\r\n" + fields); }

const HeadCase kBadCases[] = {
    // S1: CL.TE, either order.
    bad("S1_cl_then_te", post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n"), E::te_and_cl),
    bad("S1_te_then_cl", post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n"), E::te_and_cl),
    bad("S1_te_then_cl_zero", post("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"), E::te_and_cl),
    // S2: several Content-Length values, equal or not.
    bad("S2_two_lines_differ", post("Content-Length: 6\r\nContent-Length: 5\r\n"), E::multiple_cl),
    bad("S2_list_differs", post("Content-Length: 6, 5\r\n"), E::multiple_cl),
    bad("S2_list_equal", post("Content-Length: 5, 5\r\n"), E::multiple_cl),
    bad("S2_two_lines_equal", post("Content-Length: 5\r\nContent-Length: 5\r\n"), E::multiple_cl),
    bad("S2_other_case", post("content-length: 5\r\nCONTENT-LENGTH: 5\r\n"), E::multiple_cl),
    // S3: Content-Length syntax.
    bad("S3_plus", post("Content-Length: +6\r\n"), E::bad_cl),
    bad("S3_hex", post("Content-Length: 0x6\r\n"), E::bad_cl),
    bad("S3_two_numbers", post("Content-Length: 6 6\r\n"), E::bad_cl),
    bad("S3_negative", post("Content-Length: -1\r\n"), E::bad_cl),
    bad("S3_twenty_digits", post("Content-Length: 18446744073709551616\r\n"), E::bad_cl),
    bad("S3_int64_max_plus_one", post("Content-Length: 9223372036854775808\r\n"), E::bad_cl),
    bad("S3_empty", post("Content-Length: \r\n"), E::bad_cl),
    bad("S3_trailing_junk", post("Content-Length: 6a\r\n"), E::bad_cl),
    bad("S3_decimal", post("Content-Length: 6.0\r\n"), E::bad_cl),
    bad("S3_vertical_tab", post("Content-Length: 6\x0b\r\n"), E::bad_header_value),
    // S4: Transfer-Encoding obfuscation (Beast 1.81 gaps 1-3).
    bad("S4_xchunked", post("Transfer-Encoding: xchunked\r\n"), E::te_not_chunked),
    bad("S4_space_before_colon", post("Transfer-Encoding : chunked\r\n"), E::space_before_colon),
    bad("S4_vtab_before_value", post("Transfer-Encoding:\x0b" "chunked\r\n"), E::bad_header_value),
    bad("S4_chunked_identity", post("Transfer-Encoding: chunked, identity\r\n"), E::te_not_chunked),
    bad("S4_chunked_chunked", post("Transfer-Encoding: chunked, chunked\r\n"), E::te_not_chunked),
    bad("S4_two_te_lines", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
        E::te_not_chunked),
    bad("S4_gzip_chunked", post("Transfer-Encoding: gzip, chunked\r\n"), E::te_not_chunked),
    bad("S4_gzip_alone", post("Transfer-Encoding: gzip\r\n"), E::te_not_chunked),
    bad("S4_gzip_then_cl", post("Transfer-Encoding: gzip\r\nContent-Length: 5\r\n"), E::te_not_chunked),
    bad("S4_empty_te", post("Transfer-Encoding: \r\n"), E::te_not_chunked),
    bad("S4_quoted", post("Transfer-Encoding: \"chunked\"\r\n"), E::te_not_chunked),
    bad("S4_te_http10", head("POST / HTTP/1.0", "Transfer-Encoding: chunked\r\n"), E::te_with_http10),
    // S5: whitespace around field names.
    bad("S5_space_before_colon_host", head("GET / HTTP/1.1", "Host : a\r\n"), E::space_before_colon),
    bad("S5_tab_before_colon", head("GET / HTTP/1.1", "Host\t: a\r\n"), E::space_before_colon),
    bad("S5_leading_tab_first_field", head("POST / HTTP/1.1", "\tContent-Length: 1\r\nHost: a\r\n"),
        E::leading_whitespace_line),
    bad("S5_leading_space_first_field", head("GET / HTTP/1.1", " Host: a\r\n"), E::leading_whitespace_line),
    // S6: obs-fold.
    bad("S6_obs_fold_space", post("X-Forwarded-User: a\r\n admin\r\n"), E::obs_fold),
    bad("S6_obs_fold_tab", post("X-Forwarded-User: a\r\n\tadmin\r\n"), E::obs_fold),
    // S7: line endings, CR, NUL.
    bad("S7_bare_lf_everywhere", "GET / HTTP/1.1\nHost: a\n\n", E::bare_lf),
    bad("S7_bare_lf_in_field", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", E::bare_lf),
    bad("S7_bare_lf_terminator", "GET / HTTP/1.1\r\nHost: a\r\n\n", E::bare_lf),
    bad("S7_lf_nul_cr_in_value", "GET / HTTP/1.1\r\nHost: a\r\nHeader: v\n\0\ralue\r\n\r\n"s, E::bare_lf),
    bad("S7_nul_in_value", "GET / HTTP/1.1\r\nHost: a\r\nHeader: v\0alue\r\n\r\n"s, E::nul),
    bad("S7_bare_cr_in_value", "GET / HTTP/1.1\r\nHost: a\r\nHeader: v\ralue\r\n\r\n", E::bare_cr),
    bad("S7_cr_cr_lf", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", E::bare_cr),
    bad("S7_del_in_value", post("X: a\x7f" "b\r\n"), E::bad_header_value),
    bad("S7_ctl_in_value", post("X: a\x01" "b\r\n"), E::bad_header_value),
    // S9: Host.
    bad("S9_two_hosts", head("GET / HTTP/1.1", "Host: a\r\nHost: b\r\n"), E::multiple_host),
    bad("S9_two_hosts_same", head("GET / HTTP/1.1", "Host: a\r\nhost: a\r\n"), E::multiple_host),
    bad("S9_two_hosts_http10", head("GET / HTTP/1.0", "Host: a\r\nHost: b\r\n"), E::multiple_host),
    bad("two_authorization", head("GET / HTTP/1.1", "Host: a\r\nAuthorization: Basic YTpi\r\nauthorization: Basic YzpkCg==\r\n"),
        E::multiple_credentials),
    bad("two_proxy_authorization", head("GET / HTTP/1.1", "Host: a\r\nProxy-Authorization: x\r\nProxy-Authorization: y\r\n"),
        E::multiple_credentials),
    bad("S9_missing_host", head("GET / HTTP/1.1", "X: a\r\n"), E::missing_host),
    bad("S9_host_userinfo", head("GET / HTTP/1.1", "Host: good.com@evil.com\r\n"), E::bad_header_value),
    bad("S9_host_with_path", head("GET / HTTP/1.1", "Host: evil.com/x\r\n"), E::bad_header_value),
    bad("S9_host_list", head("GET / HTTP/1.1", "Host: a, b\r\n"), E::bad_header_value),
    bad("S9_host_bad_port", head("GET / HTTP/1.1", "Host: a:8x\r\n"), E::bad_header_value),
    // S10: request line.
    bad("S10_double_space", head("GET  / HTTP/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_tab_separator", head("GET\t/ HTTP/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_trailing_space", head("GET / HTTP/1.1 ", "Host: a\r\n"), E::bad_request_line),
    bad("S10_leading_space", head(" GET / HTTP/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_lf_inside_request_line", "GET /\nHTTP/1.1\r\nHost: a\r\n\r\n", E::bare_lf),
    bad("S10_http09", head("GET /", ""), E::bad_request_line),
    bad("S10_http_1_32", head("GET / HTTP/1.32", "Host: a\r\n"), E::bad_version),
    bad("S10_http2", head("GET / HTTP/2.0", "Host: a\r\n"), E::bad_version),
    bad("S10_http09_version", head("GET / HTTP/0.9", "Host: a\r\n"), E::bad_version),
    bad("S10_lowercase_http", head("GET / http/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_method_delimiter", head("G(T / HTTP/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_method_slash", head("GET/ / HTTP/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_space_in_target", head("GET /a b HTTP/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_non_ascii_target", head("GET /caf\xc3\xa9 HTTP/1.1", "Host: a\r\n"), E::bad_request_line),
    bad("S10_empty_request_line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", E::bad_request_line),
    bad("S10_only_terminator", "\r\n\r\n", E::bad_request_line),
    // Field names (5.3 underscore policy included).
    bad("underscore_identity", post("X_Forwarded_User: admin\r\n"), E::underscore_in_name),
    bad("underscore_remote_user", post("Remote_User: admin\r\n"), E::underscore_in_name),
    bad("no_colon", post("JustAName\r\n"), E::bad_header_name),
    bad("empty_name", post(": v\r\n"), E::bad_header_name),
    bad("name_with_space", post("X Y: v\r\n"), E::bad_header_name),
    bad("name_with_slash", post("X/Y: v\r\n"), E::bad_header_name),
    bad("name_non_ascii", post("X\xc3\xa9: v\r\n"), E::bad_header_name),
    // Head boundaries.
    bad("no_terminator", "GET / HTTP/1.1\r\nHost: a\r\n", E::incomplete),
    bad("empty", "", E::incomplete),
    bad("body_after_head", "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /admin HTTP/1.1\r\n\r\n", E::incomplete),
};

void PrintTo(const HeadCase& c, std::ostream* os) { *os << c.name; }

class HeadCheckRejects : public testing::TestWithParam<HeadCase> {};

TEST_P(HeadCheckRejects, Table) {
    const auto& c = GetParam();
    auto r = check_request_head(c.raw);
    ASSERT_FALSE(r.ok()) << "accepted";
    EXPECT_EQ(r.error(), *c.error) << "got: " << to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(Security5, HeadCheckRejects, testing::ValuesIn(kBadCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(HeadCheck, GetWithHost) {
    auto r = check_request_head("GET /a?b HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n");
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->method, "GET");
    EXPECT_EQ(r->target, "/a?b");
    EXPECT_EQ(r->version_major, 1);
    EXPECT_EQ(r->version_minor, 1);
    EXPECT_FALSE(r->chunked);
    EXPECT_FALSE(r->content_length.has_value());
    EXPECT_EQ(r->host, "example.com:8080");
}

TEST(HeadCheck, PostWithContentLength) {
    auto r = check_request_head(post("Content-Length:\t 42 \t\r\nContent-Type: text/plain\r\n"));
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->method, "POST");
    ASSERT_TRUE(r->content_length.has_value());
    EXPECT_EQ(*r->content_length, 42u);
    EXPECT_FALSE(r->chunked);
}

TEST(HeadCheck, ContentLengthLimits) {
    auto zero = check_request_head(post("Content-Length: 0\r\n"));
    ASSERT_TRUE(zero.ok());
    EXPECT_EQ(*zero->content_length, 0u);
    auto max = check_request_head(post("Content-Length: 9223372036854775807\r\n"));
    ASSERT_TRUE(max.ok()) << to_string(max.error());
    EXPECT_EQ(*max->content_length, 9223372036854775807u);
    auto leading_zeros = check_request_head(post("Content-Length: 007\r\n"));
    ASSERT_TRUE(leading_zeros.ok());
    EXPECT_EQ(*leading_zeros->content_length, 7u);
}

TEST(HeadCheck, PostChunked) {
    for (const char* te : {"chunked", "Chunked", "CHUNKED", "  chunked  "}) {
        auto r = check_request_head(post(std::string("transfer-encoding: ") + te + "\r\n"));
        ASSERT_TRUE(r.ok()) << te << ": " << to_string(r.error());
        EXPECT_TRUE(r->chunked) << te;
        EXPECT_FALSE(r->content_length.has_value());
    }
}

TEST(HeadCheck, Http10WithoutHost) {
    auto r = check_request_head("GET / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->version_minor, 0);
    EXPECT_EQ(r->host, "");
}

TEST(HeadCheck, Http10WithContentLength) {
    auto r = check_request_head("POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n");
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(*r->content_length, 3u);
}

TEST(HeadCheck, AcceptedOddButLegalForms) {
    const std::string ok_heads[] = {
        head("GET / HTTP/1.1", "Host:\r\n"),                      // empty Host (RFC 9112 3.2)
        head("GET / HTTP/1.1", "Host: [::1]:8443\r\n"),           // IPv6 literal
        head("GET http://a/x HTTP/1.1", "Host: a\r\n"),           // absolute-form: caller splits it
        head("OPTIONS * HTTP/1.1", "Host: a\r\n"),                // asterisk-form
        head("M-SEARCH /x HTTP/1.1", "Host: a\r\nX-Empty:\r\n"),  // token method, empty value
        head("GET / HTTP/1.1", "Host: a\r\nX: caf\xc3\xa9 \t x\r\n"),  // obs-text and HTAB in a value
        head("GET / HTTP/1.1", "Host: a\r\nX-Odd!#$%&'*+.^`|~: v\r\n"),  // every tchar
    };
    for (const auto& h : ok_heads) {
        auto r = check_request_head(h);
        EXPECT_TRUE(r.ok()) << h << " -> " << to_string(r.error());
    }
}

TEST(HeadCheck, MethodIsCaseSensitiveAndKept) {
    auto r = check_request_head(head("get / HTTP/1.1", "Host: a\r\n"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->method, "get");
}

// RFC 9112 3: an over-long request-target is 414, over-long fields stay 431.
TEST(HeadCheck, RequestLineTooLongIsTheLineAlone) {
    const std::string line = "GET /" + std::string(100, 'a') + " HTTP/1.1\r\n";  // 116 bytes with CRLF
    EXPECT_TRUE(request_line_too_long(line + "Host: a\r\n\r\n", 100));
    EXPECT_TRUE(request_line_too_long(line.substr(0, 100), 100)) << "no line end yet, limit reached";
    EXPECT_FALSE(request_line_too_long(line.substr(0, 99), 100)) << "below the limit, still arriving";
    EXPECT_FALSE(request_line_too_long(line + "X-Big: " + std::string(500, 'b') + "\r\n", 116))
        << "the line fits exactly: the fields are too large";
    EXPECT_TRUE(request_line_too_long(line, 115));
}

TEST(HeadError, EveryValueHasText) {
    for (int i = 0; i <= static_cast<int>(E::incomplete); ++i) {
        const std::string s = to_string(static_cast<E>(i));
        EXPECT_FALSE(s.empty());
        EXPECT_NE(s, "unknown head error");
    }
}

}  // namespace
}  // namespace gk::gate
