// The client's request loop against a scripted fake transport: which
// requests go out, with which Authorization, and when it stops.
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <thread>

#include "gatekeeper/client.hpp"

namespace gk::client {
namespace {

Response resp(unsigned status, std::vector<std::string> www_auth = {}) {
    Response r;
    r.status = status;
    for (auto& v : www_auth) r.headers.emplace_back("WWW-Authenticate", std::move(v));
    return r;
}

// Replies in order; records every request.
struct Script {
    std::deque<Response> replies;
    std::vector<Request> seen;
    Transport transport() {
        return [this](const Request& r) -> Result<Response, std::string> {
            seen.push_back(r);
            if (replies.empty()) return fail(std::string("script exhausted"));
            auto out = replies.front();
            replies.pop_front();
            return out;
        };
    }
};

std::string auth_of(const Request& r) {
    for (const auto& [k, v] : r.headers) {
        if (k == "Authorization") return v;
    }
    return "";
}

ClientOptions password_options() {
    ClientOptions o;
    o.user = "alice";
    o.password = Secret{std::string("wonderland")};
    o.random = [](std::size_t n) { return std::string(n, '\x01'); };
    return o;
}

const std::string kSha = "Digest realm=\"r\", qop=\"auth\", algorithm=SHA-256, nonce=\"n1\", opaque=\"o\"";
const std::string kMd5 = "Digest realm=\"r\", qop=\"auth\", algorithm=MD5, nonce=\"n1\", opaque=\"o\"";

TEST(ClientDigest, AnswersStrongestAndVerifiesWithServerMath) {
    Script s;
    s.replies = {resp(401, {kMd5, kSha, "Basic realm=\"r\""}), resp(200)};
    Client c(password_options(), s.transport());
    Request req;
    req.target = "/admin/x?y=1";
    auto out = c.fetch(req);
    ASSERT_TRUE(out) << out.error();
    EXPECT_EQ(out->response.status, 200u);
    EXPECT_EQ(out->attempts, 2);
    EXPECT_EQ(out->scheme, SchemeChoice::digest_sha256);
    ASSERT_EQ(s.seen.size(), 2u);
    EXPECT_EQ(auth_of(s.seen[0]), "");
    auto d = schemes::parse_digest(*httpauth::parse_credentials(auth_of(s.seen[1])));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->uri, "/admin/x?y=1");
    EXPECT_EQ(d->cnonce, "01010101010101010101010101010101");
    const auto ha1 = schemes::digest_ha1(d->algorithm, "alice", "r", "wonderland");
    EXPECT_TRUE(schemes::response_matches(*d, schemes::expected_response(*d, ha1, "GET", "")));
}

TEST(ClientDigest, NcCountsPerNonceAcrossRequests) {
    Script s;
    s.replies = {resp(401, {kSha}), resp(200), resp(401, {kSha}), resp(200)};
    Client c(password_options(), s.transport());
    ASSERT_TRUE(c.fetch(Request{}));
    ASSERT_TRUE(c.fetch(Request{}));
    auto d1 = schemes::parse_digest(*httpauth::parse_credentials(auth_of(s.seen[1])));
    auto d2 = schemes::parse_digest(*httpauth::parse_credentials(auth_of(s.seen[3])));
    EXPECT_EQ(d1->nc, 1u);
    EXPECT_EQ(d2->nc, 2u);
}

struct RetryCase {
    const char* name;
    std::vector<Response> replies;
    unsigned want_status;
    int want_attempts;
    bool want_stale_retry;
};

TEST(ClientDigest, RetryRules) {
    const std::string stale = "Digest realm=\"r\", qop=\"auth\", algorithm=SHA-256, nonce=\"n2\", stale=true";
    const std::vector<RetryCase> cases = {
        {"wrong password: no second try", {resp(401, {kSha}), resp(401, {kSha})}, 401, 2, false},
        {"stale: once more", {resp(401, {kSha}), resp(401, {stale}), resp(200)}, 200, 3, true},
        {"stale twice: stop", {resp(401, {kSha}), resp(401, {stale}), resp(401, {stale})}, 401, 3, true},
        {"403 is final", {resp(401, {kSha}), resp(403)}, 403, 2, false},
        {"nothing answerable", {resp(401, {"Negotiate"})}, 401, 1, false},
        {"no auth needed", {resp(200)}, 200, 1, false},
        {"redirect not followed", {resp(302)}, 302, 1, false},
    };
    for (const auto& rc : cases) {
        Script s;
        s.replies.assign(rc.replies.begin(), rc.replies.end());
        Client c(password_options(), s.transport());
        auto out = c.fetch(Request{});
        ASSERT_TRUE(out) << rc.name << ": " << out.error();
        EXPECT_EQ(out->response.status, rc.want_status) << rc.name;
        EXPECT_EQ(out->attempts, rc.want_attempts) << rc.name;
        EXPECT_EQ(out->stale_retry, rc.want_stale_retry) << rc.name;
    }
}

TEST(ClientDigest, StaleRetryUsesNewNonceFromOne) {
    const std::string stale = "Digest realm=\"r\", qop=\"auth\", algorithm=SHA-256, nonce=\"n2\", stale=true";
    Script s;
    s.replies = {resp(401, {kSha}), resp(401, {stale}), resp(200)};
    Client c(password_options(), s.transport());
    ASSERT_TRUE(c.fetch(Request{}));
    auto d = schemes::parse_digest(*httpauth::parse_credentials(auth_of(s.seen[2])));
    EXPECT_EQ(d->nonce, "n2");
    EXPECT_EQ(d->nc, 1u);
}

TEST(ClientTransport, FailureIsPassedOn) {
    Script s;  // no replies
    Client c(password_options(), s.transport());
    auto out = c.fetch(Request{});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error(), "script exhausted");
}

struct Tokens {
    std::atomic<int> refreshes{0};
    TokenSource source() {
        return TokenSource{[] { return Result<Secret, std::string>(Secret{std::string("t0")}); },
                           [this] {
                               const int n = ++refreshes;
                               return Result<Secret, std::string>(Secret{"t" + std::to_string(n)});
                           }};
    }
};

TEST(ClientBearer, SentAtOnceAndRefreshedOnceOnInvalidToken) {
    const std::string invalid = "Bearer realm=\"api\", error=\"invalid_token\"";
    struct Case {
        const char* name;
        std::vector<Response> replies;
        unsigned want_status;
        int want_attempts;
        int want_refreshes;
    };
    const std::vector<Case> cases = {
        {"accepted", {resp(200)}, 200, 1, 0},
        {"invalid then ok", {resp(401, {invalid}), resp(200)}, 200, 2, 1},
        {"invalid twice: one refresh only", {resp(401, {invalid}), resp(401, {invalid})}, 401, 2, 1},
        {"no error=: no refresh", {resp(401, {"Bearer realm=\"api\""})}, 401, 1, 0},
        {"insufficient_scope is 403: no refresh",
         {resp(403, {"Bearer realm=\"api\", error=\"insufficient_scope\""})}, 403, 1, 0},
    };
    for (const auto& tc : cases) {
        Tokens t;
        Script s;
        s.replies.assign(tc.replies.begin(), tc.replies.end());
        ClientOptions o;
        o.tokens = t.source();
        Client c(std::move(o), s.transport());
        auto out = c.fetch(Request{});
        ASSERT_TRUE(out) << tc.name;
        EXPECT_EQ(out->response.status, tc.want_status) << tc.name;
        EXPECT_EQ(out->attempts, tc.want_attempts) << tc.name;
        EXPECT_EQ(t.refreshes.load(), tc.want_refreshes) << tc.name;
        EXPECT_EQ(auth_of(s.seen[0]), "Bearer t0") << tc.name;
        if (tc.want_refreshes) {
            EXPECT_EQ(auth_of(s.seen[1]), "Bearer t1") << tc.name;
        }
    }
}

TEST(TokenCache, SingleFlightRefresh) {
    std::atomic<int> calls{0};
    TokenCache cache(TokenSource{[] { return Result<Secret, std::string>(Secret{std::string("old")}); },
                                 [&] {
                                     ++calls;
                                     std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                     return Result<Secret, std::string>(Secret{std::string("new")});
                                 }});
    const Secret old = *cache.current();
    std::vector<std::thread> threads;
    std::atomic<int> got_new{0};
    for (int i = 0; i < 10; ++i) {
        threads.emplace_back([&] {
            auto t = cache.refresh_after(old);
            if (t && t->reveal() == "new") ++got_new;
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(calls.load(), 1);
    EXPECT_EQ(got_new.load(), 10);
    EXPECT_EQ(cache.refreshes(), 1u);
}

TEST(TokenCache, FailedRefreshIsReported) {
    TokenCache cache(TokenSource{[] { return Result<Secret, std::string>(Secret{std::string("old")}); },
                                 [] { return Result<Secret, std::string>(fail(std::string("exit 1"))); }});
    const Secret old = *cache.current();
    auto t = cache.refresh_after(old);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error(), "exit 1");
}

}  // namespace
}  // namespace gk::client
