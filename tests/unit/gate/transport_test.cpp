// HTTPS by default: the transport decision for each kind of listener, the
// Host a redirect may be built from (no open redirect), the credentials a
// request can carry, and the HSTS value.
#include "gatekeeper/gate/transport.hpp"

#include <gtest/gtest.h>

namespace gk::gate {
namespace {

using Kind = TransportVerdict::Kind;
using LT = ListenerTransport;

struct TransportCase {
    const char* name;
    LT listener;
    bool secure;
    const char* authority;
    const char* path;
    const char* query;
    std::optional<std::string> credential;
    std::uint16_t port;
    Kind want;
    const char* location;  // for redirect; the credential name for refuse_credential
};

std::ostream& operator<<(std::ostream& os, const TransportCase& c) { return os << c.name; }

class TransportTable : public ::testing::TestWithParam<TransportCase> {};

TEST_P(TransportTable, Decides) {
    const auto& c = GetParam();
    TransportInput in;
    in.listener = c.listener;
    in.secure = c.secure;
    in.authority = c.authority;
    in.path = c.path;
    in.query = c.query;
    in.credential = c.credential;
    in.https_port = c.port;
    const auto v = check_transport(in);
    EXPECT_EQ(v.kind, c.want);
    if (c.want == Kind::redirect) {
        EXPECT_EQ(v.location, c.location);
    } else {
        EXPECT_EQ(v.location, "");
    }
    if (c.want == Kind::refuse_credential) {
        EXPECT_EQ(v.credential, c.location);
    }
}

const std::optional<std::string> kNone;
const std::optional<std::string> kAuth = std::string("Authorization");

INSTANTIATE_TEST_SUITE_P(
    Table, TransportTable,
    ::testing::Values(
        // TLS listeners and secure requests pass, credential or not.
        TransportCase{"tls", LT::tls, true, "a.example", "/x", "", kAuth, 443, Kind::pass, ""},
        TransportCase{"tls_acme_path_is_not_acme", LT::tls, true, "a.example",
                      "/.well-known/acme-challenge/t", "", kNone, 443, Kind::pass, ""},
        TransportCase{"trusted_proxy_https", LT::redirect_plain, true, "a.example", "/x", "", kAuth, 443,
                      Kind::pass, ""},
        // Loopback and insecure plain listeners pass, credentials included.
        TransportCase{"loopback", LT::loopback_plain, false, "127.0.0.1:8080", "/x", "", kAuth, 443,
                      Kind::pass, ""},
        TransportCase{"insecure", LT::insecure_plain, false, "a.example", "/x", "", kAuth, 443, Kind::pass,
                      ""},
        // Redirect listeners.
        TransportCase{"redirect_default_port", LT::redirect_plain, false, "a.example", "/x", "", kNone, 443,
                      Kind::redirect, "https://a.example/x"},
        TransportCase{"redirect_keeps_query", LT::redirect_plain, false, "a.example", "/x/y", "q=1&r=%20",
                      kNone, 443, Kind::redirect, "https://a.example/x/y?q=1&r=%20"},
        TransportCase{"redirect_port_replaces_hosts", LT::redirect_plain, false, "A.Example:8080", "/", "",
                      kNone, 8443, Kind::redirect, "https://a.example:8443/"},
        TransportCase{"redirect_ipv4", LT::redirect_plain, false, "192.0.2.7:80", "/", "", kNone, 443,
                      Kind::redirect, "https://192.0.2.7/"},
        TransportCase{"redirect_ipv6", LT::redirect_plain, false, "[2001:DB8::1]:80", "/a", "", kNone, 9443,
                      Kind::redirect, "https://[2001:db8::1]:9443/a"},
        TransportCase{"credential_refused", LT::redirect_plain, false, "a.example", "/x", "", kAuth, 443,
                      Kind::refuse_credential, "Authorization"},
        TransportCase{"cookie_refused", LT::redirect_plain, false, "a.example", "/x", "",
                      std::optional<std::string>("gatekeeper"), 443, Kind::refuse_credential, "gatekeeper"},
        // A credential is refused even with a bad Host: it is burnt either way.
        TransportCase{"credential_before_host", LT::redirect_plain, false, "", "/x", "", kAuth, 443,
                      Kind::refuse_credential, "Authorization"},
        TransportCase{"credential_before_acme", LT::redirect_plain, false, "a.example",
                      "/.well-known/acme-challenge/tok", "", kAuth, 443, Kind::refuse_credential,
                      "Authorization"},
        TransportCase{"acme_on_redirect", LT::redirect_plain, false, "a.example",
                      "/.well-known/acme-challenge/tok", "", kNone, 443, Kind::acme_challenge, ""},
        TransportCase{"acme_on_loopback", LT::loopback_plain, false, "a.example",
                      "/.well-known/acme-challenge/tok", "", kNone, 443, Kind::acme_challenge, ""},
        TransportCase{"acme_prefix_needs_its_slash", LT::redirect_plain, false, "a.example",
                      "/.well-known/acme-challenge", "", kNone, 443, Kind::redirect,
                      "https://a.example/.well-known/acme-challenge"},
        // Never an open redirect.
        TransportCase{"missing_host", LT::redirect_plain, false, "", "/", "", kNone, 443, Kind::bad_host, ""},
        TransportCase{"userinfo", LT::redirect_plain, false, "evil.com@good", "/", "", kNone, 443,
                      Kind::bad_host, ""},
        TransportCase{"crlf", LT::redirect_plain, false, "good\r\nSet-Cookie: x=1", "/", "", kNone, 443,
                      Kind::bad_host, ""},
        TransportCase{"slash_in_host", LT::redirect_plain, false, "evil.com/x", "/", "", kNone, 443,
                      Kind::bad_host, ""}),
    [](const auto& info) { return std::string(info.param.name); });

struct HostCase {
    const char* authority;
    std::optional<std::string> want;
};

class RedirectHostTable : public ::testing::TestWithParam<HostCase> {};

TEST_P(RedirectHostTable, ValidatesAndLowerCases) {
    EXPECT_EQ(redirect_host(GetParam().authority), GetParam().want) << GetParam().authority;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RedirectHostTable,
    ::testing::Values(HostCase{"example.com", "example.com"}, HostCase{"Example.COM", "example.com"},
                      HostCase{"example.com:8080", "example.com"}, HostCase{"example.com.", "example.com."},
                      HostCase{"a-b.c-d.example", "a-b.c-d.example"}, HostCase{"localhost", "localhost"},
                      HostCase{"10.1.2.3:80", "10.1.2.3"}, HostCase{"[::1]", "[::1]"},
                      HostCase{"[::1]:8080", "[::1]"}, HostCase{"[FE80::1]", "[fe80::1]"},
                      HostCase{"[::ffff:192.0.2.1]", "[::ffff:192.0.2.1]"},
                      // refused
                      HostCase{"", std::nullopt}, HostCase{"evil.com@good", std::nullopt},
                      HostCase{"user:pw@good", std::nullopt}, HostCase{"good\r\nX: y", std::nullopt},
                      HostCase{"good\n", std::nullopt}, HostCase{"good:", std::nullopt},
                      HostCase{"good:99999", std::nullopt}, HostCase{"good:80:80", std::nullopt},
                      HostCase{"good:8o", std::nullopt}, HostCase{":80", std::nullopt},
                      HostCase{"-good.example", std::nullopt}, HostCase{"good-.example", std::nullopt},
                      HostCase{"a..b", std::nullopt}, HostCase{".", std::nullopt},
                      HostCase{"good.example/evil", std::nullopt}, HostCase{"good.example?x", std::nullopt},
                      HostCase{"good.example#x", std::nullopt}, HostCase{"good%2eexample", std::nullopt},
                      HostCase{"good_example", std::nullopt}, HostCase{"go od", std::nullopt},
                      HostCase{"[::1", std::nullopt}, HostCase{"[::1]x", std::nullopt},
                      HostCase{"[::1]:", std::nullopt}, HostCase{"[fe80::1%25eth0]", std::nullopt},
                      HostCase{"[evil.com]", std::nullopt}, HostCase{"[]", std::nullopt},
                      HostCase{"::1", std::nullopt}, HostCase{"\xc3\xa9.example", std::nullopt}));

TEST(RedirectHost, LabelAndNameLengths) {
    EXPECT_TRUE(redirect_host(std::string(63, 'a') + ".example"));
    EXPECT_FALSE(redirect_host(std::string(64, 'a') + ".example"));
    std::string name;
    while (name.size() < 250) name += "abcdefghi.";
    EXPECT_FALSE(redirect_host(name + "example"));
}

TEST(HttpsLocation, PathIsAlwaysAnchoredAtTheHost) {
    EXPECT_EQ(https_location("a.example", 443, "", ""), "https://a.example/");
    EXPECT_EQ(https_location("a.example", 443, "evil.com", ""), "https://a.example/");
    EXPECT_EQ(https_location("a.example", 8443, "/p", "x=1"), "https://a.example:8443/p?x=1");
    EXPECT_EQ(https_location("evil.com@a.example", 443, "/p", ""), std::nullopt);
}

TEST(TransportOf, ListenerKinds) {
    Listener l;
    l.tls = true;
    EXPECT_EQ(transport_of(l), LT::tls);
    l.tls = false;
    l.loopback = true;
    EXPECT_EQ(transport_of(l), LT::loopback_plain);
    l.insecure = true;
    EXPECT_EQ(transport_of(l), LT::loopback_plain);
    l.loopback = false;
    EXPECT_EQ(transport_of(l), LT::insecure_plain);
    l.insecure = false;
    EXPECT_EQ(transport_of(l), LT::redirect_plain);
}

Request with_headers(std::vector<Header> headers, std::string query = {}) {
    Request r;
    r.method = "GET";
    r.path = "/";
    r.query = std::move(query);
    r.headers = std::move(headers);
    return r;
}

TEST(CarriedCredential, NamesWhatIsThereNeverTheValue) {
    Policy p;
    Route api;
    api.name = "api";
    api.api_key_header = "X-API-Key";
    p.routes.push_back(api);
    struct Case {
        Request req;
        std::optional<std::string> want;
    };
    const std::vector<Case> cases = {
        {with_headers({{"Host", "a"}, {"Accept", "*/*"}}), std::nullopt},
        {with_headers({{"authorization", "Basic YTpi"}}), "Authorization"},
        {with_headers({{"Authorization", ""}}), "Authorization"},
        {with_headers({{"Proxy-Authorization", "Basic YTpi"}}), "Proxy-Authorization"},
        {with_headers({{"x-api-key", "gk_x"}}), "X-API-Key"},
        {with_headers({{"X-Other-Key", "gk_x"}}), std::nullopt},
        {with_headers({}, "a=1&access_token=abc"), "access_token"},
        {with_headers({}, "access_token"), "access_token"},
        {with_headers({}, "access%5Ftoken=abc"), "access_token"},
        {with_headers({}, "%zz&access_token=x"), "access_token"},  // unparsable query: searched raw
        {with_headers({}, "token=abc&x=access"), std::nullopt},
        {with_headers({{"Cookie", "theme=dark; gatekeeper=abc"}}), "gatekeeper"},
        {with_headers({{"Cookie", "__Host-gatekeeper=abc"}}), "__Host-gatekeeper"},
        {with_headers({{"Cookie", "a=1"}, {"Cookie", "gatekeeper=abc"}}), "gatekeeper"},
        {with_headers({{"Cookie", "gatekeeper-csrf=abc; theme=dark"}}), std::nullopt},
        {with_headers({{"Cookie", "gatekeeperx=abc"}}), std::nullopt},
    };
    for (const auto& c : cases) {
        const auto got = carried_credential(p, c.req);
        EXPECT_EQ(got, c.want) << (c.req.headers.empty() ? c.req.query : c.req.headers.back().value);
        if (got) {
            for (const auto& h : c.req.headers)
                if (!h.value.empty()) {
                    EXPECT_EQ(got->find(h.value), std::string::npos);
                }
        }
    }
}

TEST(CarriedCredential, FollowsTheCookiePrefix) {
    Policy p;
    p.cookie_prefix = "sso";
    EXPECT_EQ(carried_credential(p, with_headers({{"Cookie", "sso=1"}})), "sso");
    EXPECT_EQ(carried_credential(p, with_headers({{"Cookie", "gatekeeper=1"}})), std::nullopt);
}

TEST(Hsts, Values) {
    HstsSettings s;
    EXPECT_EQ(hsts_value(s), "max-age=31536000; includeSubDomains");
    EXPECT_EQ(hsts_value(s), Policy{}.hsts_header) << "Policy's default must match HstsSettings'";
    s.preload = true;
    EXPECT_EQ(hsts_value(s), "max-age=31536000; includeSubDomains; preload");
    s.include_subdomains = false;
    s.preload = false;
    s.max_age = std::chrono::seconds(0);
    EXPECT_EQ(hsts_value(s), "max-age=0");
    s.enabled = false;
    EXPECT_EQ(hsts_value(s), "");
}

}  // namespace
}  // namespace gk::gate
