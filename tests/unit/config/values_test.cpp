// The scalar grammars: durations, CIDRs, upstream URLs, tokens, realms, hints.
#include <gtest/gtest.h>

#include "gatekeeper/config/values.hpp"

namespace gk::config {
namespace {

using namespace std::chrono_literals;

struct DurationCase {
    const char* text;
    bool ok;
    long long ms;
};

class DurationTest : public ::testing::TestWithParam<DurationCase> {};

TEST_P(DurationTest, Parses) {
    const auto& c = GetParam();
    auto r = parse_duration(c.text);
    ASSERT_EQ(r.ok(), c.ok) << c.text;
    if (c.ok) EXPECT_EQ(r->count(), c.ms) << c.text;
    else EXPECT_FALSE(r.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, DurationTest,
    ::testing::Values(DurationCase{"500ms", true, 500}, DurationCase{"10s", true, 10'000},
                      DurationCase{"5m", true, 300'000}, DurationCase{"1h", true, 3'600'000},
                      DurationCase{"250", true, 250}, DurationCase{"0", true, 0}, DurationCase{"007s", true, 7000},
                      DurationCase{"9223372036854775807", true, 9223372036854775807LL},
                      DurationCase{"9223372036854775808", false, 0},  // one past int64
                      DurationCase{"99999999999999999999h", false, 0}, DurationCase{"2562047788015216h", false, 0},
                      DurationCase{"-1s", false, 0}, DurationCase{"+1s", false, 0}, DurationCase{"1.5s", false, 0},
                      DurationCase{"10 s", false, 0}, DurationCase{" 10s", false, 0}, DurationCase{"10S", false, 0},
                      DurationCase{"10sec", false, 0}, DurationCase{"1d", true, 86400000}, DurationCase{"1w", false, 0}, DurationCase{"", false, 0},
                      DurationCase{"s", false, 0}, DurationCase{"ms", false, 0}, DurationCase{"1e3", false, 0},
                      DurationCase{"0x10", false, 0}));

TEST(DurationTest, NegativeSaysSo) {
    auto r = parse_duration("-5s");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("negative"), std::string::npos);
}

struct CidrCase {
    const char* text;
    bool ok;
    std::vector<std::uint8_t> bytes;
    unsigned prefix;
};

class CidrTest : public ::testing::TestWithParam<CidrCase> {};

TEST_P(CidrTest, Parses) {
    const auto& c = GetParam();
    auto r = parse_cidr(c.text);
    ASSERT_EQ(r.ok(), c.ok) << c.text;
    if (!c.ok) return;
    EXPECT_EQ(r->bytes, c.bytes) << c.text;
    EXPECT_EQ(r->prefix, c.prefix) << c.text;
}

const std::vector<std::uint8_t> kLoop6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const std::vector<std::uint8_t> kZero6(16, 0);
const std::vector<std::uint8_t> kFd00 = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

INSTANTIATE_TEST_SUITE_P(
    Table, CidrTest,
    ::testing::Values(CidrCase{"127.0.0.0/8", true, {127, 0, 0, 0}, 8},
                      CidrCase{"10.1.2.3", true, {10, 1, 2, 3}, 32},            // bare = /32
                      CidrCase{"10.1.2.3/8", true, {10, 0, 0, 0}, 8},           // host bits cleared
                      CidrCase{"192.168.255.255/20", true, {192, 168, 240, 0}, 20},
                      CidrCase{"0.0.0.0/0", true, {0, 0, 0, 0}, 0},
                      CidrCase{"::1", true, kLoop6, 128}, CidrCase{"::1/128", true, kLoop6, 128},
                      CidrCase{"::/0", true, kZero6, 0}, CidrCase{"fd12:3456::/8", true, kFd00, 8},
                      CidrCase{"10.0.0.0/33", false, {}, 0}, CidrCase{"::1/129", false, {}, 0},
                      CidrCase{"10.0.0.0/", false, {}, 0}, CidrCase{"10.0.0.0/-1", false, {}, 0},
                      CidrCase{"10.0.0.0/8/8", false, {}, 0}, CidrCase{"10.0.0.0/0008", false, {}, 0},
                      CidrCase{"10.0.0/8", false, {}, 0}, CidrCase{"010.0.0.1", false, {}, 0},
                      CidrCase{"256.0.0.1", false, {}, 0}, CidrCase{"localhost", false, {}, 0},
                      CidrCase{"", false, {}, 0}, CidrCase{"/8", false, {}, 0},
                      CidrCase{"[::1]/128", false, {}, 0}, CidrCase{"10.0.0.0 /8", false, {}, 0}));

TEST(CidrTest, EmbeddedNulIsRefused) {
    EXPECT_FALSE(parse_cidr(std::string_view("10.0.0.1\0/8", 11)).ok());
    EXPECT_TRUE(parse_ip(std::string_view("10.0.0.1\0", 9)).empty());
}

struct UrlCase {
    const char* text;
    bool ok;
    bool tls;
    const char* host;
    std::uint16_t port;
    const char* base;
};

class UrlTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(UrlTest, Parses) {
    const auto& c = GetParam();
    auto r = parse_upstream_url(c.text);
    ASSERT_EQ(r.ok(), c.ok) << c.text;
    if (!c.ok) {
        EXPECT_FALSE(r.error().message.empty());
        return;
    }
    EXPECT_EQ(r->tls, c.tls) << c.text;
    EXPECT_EQ(r->host, c.host) << c.text;
    EXPECT_EQ(r->port, c.port) << c.text;
    EXPECT_EQ(r->base_path, c.base) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, UrlTest,
    ::testing::Values(UrlCase{"http://127.0.0.1:3000", true, false, "127.0.0.1", 3000, ""},
                      UrlCase{"http://app", true, false, "app", 80, ""},
                      UrlCase{"https://App.Example.com", true, true, "app.example.com", 443, ""},
                      UrlCase{"HTTPS://x:8443/base/", true, true, "x", 8443, "/base"},
                      UrlCase{"http://x/base//", true, false, "x", 80, "/base"},
                      UrlCase{"http://x/", true, false, "x", 80, ""},
                      UrlCase{"http://x/a/b", true, false, "x", 80, "/a/b"},
                      UrlCase{"http://[::1]:8080/p", true, false, "::1", 8080, "/p"},
                      UrlCase{"http://[::1]", true, false, "::1", 80, ""},
                      UrlCase{"http://x:65535", true, false, "x", 65535, ""},
                      UrlCase{"ftp://x", false, false, "", 0, ""}, UrlCase{"x:80", false, false, "", 0, ""},
                      UrlCase{"http:/x", false, false, "", 0, ""}, UrlCase{"http://", false, false, "", 0, ""},
                      UrlCase{"http:///p", false, false, "", 0, ""}, UrlCase{"http://:80", false, false, "", 0, ""},
                      UrlCase{"http://x:", false, false, "", 0, ""}, UrlCase{"http://x:0", false, false, "", 0, ""},
                      UrlCase{"http://x:65536", false, false, "", 0, ""},
                      UrlCase{"http://x:123456", false, false, "", 0, ""},
                      UrlCase{"http://x:8o", false, false, "", 0, ""},
                      UrlCase{"http://u:p@x", false, false, "", 0, ""},
                      UrlCase{"http://x/p?q=1", false, false, "", 0, ""},
                      UrlCase{"http://x/p#f", false, false, "", 0, ""},
                      UrlCase{"http://x/a b", false, false, "", 0, ""},
                      UrlCase{"http://x/a\\b", false, false, "", 0, ""},
                      UrlCase{"http://x y", false, false, "", 0, ""},
                      UrlCase{"http://[::1", false, false, "", 0, ""},
                      UrlCase{"http://[nothex]", false, false, "", 0, ""},
                      UrlCase{"http://[::1]x", false, false, "", 0, ""},
                      UrlCase{"http://[10.0.0.1]", false, false, "", 0, ""}));

TEST(UrlTest, UserinfoErrorSaysWhy) {
    auto r = parse_upstream_url("http://admin:secret@x");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("user information"), std::string::npos);
}

TEST(TextTest, Tokens) {
    for (const char* good : {"GET", "X-Auth-Request-User", "PROPFIND", "a!#$%&'*+-.^_`|~9"})
        EXPECT_TRUE(is_token(good)) << good;
    for (const char* bad : {"", "X Bad", "X:Bad", "X(", "é", "a\"b", "a/b"}) EXPECT_FALSE(is_token(bad)) << bad;
    EXPECT_FALSE(is_token(std::string_view("a\0b", 3)));
}

TEST(TextTest, Realms) {
    EXPECT_TRUE(is_safe_realm("Admin Panel"));
    EXPECT_TRUE(is_safe_realm("Café ünïcode"));  // UTF-8 is fine: charset="UTF-8" is sent
    EXPECT_FALSE(is_safe_realm("say \"hi\""));
    EXPECT_FALSE(is_safe_realm("back\\slash"));
    EXPECT_FALSE(is_safe_realm("tab\there"));
    EXPECT_FALSE(is_safe_realm("del\x7f"));
    EXPECT_FALSE(is_safe_realm(std::string_view("nul\0", 4)));
}

TEST(TextTest, EditDistanceAndClosest) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("upstrem", "upstream"), 1u);
    EXPECT_EQ(edit_distance("shcemes", "schemes"), 2u);
    const std::vector<std::string> keys = {"upstream", "users", "realm"};
    EXPECT_EQ(closest("upstrem", keys), "upstream");
    EXPECT_EQ(closest("user", keys), "users");
    EXPECT_EQ(closest("totally", keys), "");
    EXPECT_EQ(closest("x", {}), "");
}

}  // namespace
}  // namespace gk::config
