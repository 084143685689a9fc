// The ACME client against a scripted CA: the whole flow, badNonce retries,
// a failed challenge, a shutdown during polling, and the board kept tidy.
#include <gtest/gtest.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "fake_ca.hpp"
#include "gatekeeper/acme/request.hpp"

namespace gk::acme {
namespace {

using test::FakeCa;

struct Board {
    ChallengeType type = ChallengeType::http01;
    std::map<std::string, std::string> live;  // token -> key authorization
    std::vector<PendingChallenge> seen;
    std::string refuse;  // put() fails with this when set
    ChallengeBoard view() {
        return {type,
                [this](const PendingChallenge& p) -> Result<Ok, AcmeError> {
                    if (!refuse.empty()) return fail(AcmeError{"protocol", refuse, 0, {}});
                    live[p.token] = p.key_authorization;
                    seen.push_back(p);
                    return Ok{};
                },
                [this](const PendingChallenge& p) { live.erase(p.token); }};
    }
};

ClientOptions options(std::string email = {}) {
    ClientOptions o;
    o.directory_url = test::kDir;
    o.email = std::move(email);
    return o;
}

struct Rig {
    FakeCa ca;
    Board board;
    std::vector<std::chrono::seconds> waits;
    bool stop = false;
    crypto::Key account = crypto::Key::generate_ec(crypto::Curve::p256);
    Client client{[this](const HttpCall& c) { return ca(c); },
                  [this](std::chrono::seconds d) { waits.push_back(d); return !stop; }, account,
                  options("ops@example.org")};
};

TEST(AcmeClient, ObtainsACertificateThroughTheWholeFlow) {
    Rig r;
    const auto key = crypto::Key::generate_ec(crypto::Curve::p256);
    auto pem = r.client.obtain({"gk.test"}, key, r.board.view());
    ASSERT_TRUE(pem.ok()) << pem.error().message();
    EXPECT_TRUE(pem->starts_with("-----BEGIN CERTIFICATE-----"));
    EXPECT_EQ(r.client.account_url(), "https://ca.test/acct/1");
    EXPECT_TRUE(r.ca.header_errors.empty()) << r.ca.header_errors.front();
    // The key authorization was on the board while the CA validated, and is gone now.
    ASSERT_EQ(r.board.seen.size(), 1u);
    EXPECT_EQ(r.board.seen[0].token, r.ca.token);
    EXPECT_EQ(r.board.seen[0].identifier, "gk.test");
    EXPECT_EQ(r.ca.answered_type, "http-01");
    EXPECT_TRUE(r.board.live.empty());
    // The certificate download asked for a PEM chain.
    EXPECT_EQ(r.ca.calls.back().accept, "application/pem-certificate-chain");
    // The CSR names the host and carries the certificate key.
    auto der = httpauth::base64url_decode(r.ca.csr_b64);
    ASSERT_TRUE(der.has_value());
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    X509_REQ* req = d2i_X509_REQ(nullptr, &p, static_cast<long>(der->size()));
    ASSERT_NE(req, nullptr);
    EXPECT_EQ(X509_REQ_verify(req, key.native()), 1);
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
    auto* names = static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
    ASSERT_NE(names, nullptr);
    ASSERT_EQ(sk_GENERAL_NAME_num(names), 1);
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, 0);
    ASSERT_EQ(gn->type, GEN_DNS);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName))), "gk.test");
    GENERAL_NAMES_free(names);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
}

TEST(AcmeClient, RetriesBadNonceWithTheFreshNonce) {
    Rig r;
    r.ca.bad_nonces = 2;
    auto pem = r.client.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_TRUE(pem.ok()) << pem.error().message();
    EXPECT_TRUE(r.ca.header_errors.empty());
    // One newNonce at the start; the retries used the nonces the errors carried.
    EXPECT_EQ(std::count_if(r.ca.calls.begin(), r.ca.calls.end(), [](auto& c) { return c.method == "HEAD"; }), 1);
}

TEST(AcmeClient, GivesUpAfterTooManyBadNonces) {
    Rig r;
    r.ca.bad_nonces = 100;
    auto pem = r.client.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_FALSE(pem.ok());
    EXPECT_TRUE(pem.error().is("badNonce"));
    EXPECT_EQ(r.ca.calls.size(), 2u + 4u);  // directory, newNonce, then 1 + 3 retries
}

TEST(AcmeClient, FailedChallengeIsAClearErrorAndLeavesNothingOnTheBoard) {
    Rig r;
    r.ca.challenge_fails = true;
    auto pem = r.client.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_FALSE(pem.ok());
    EXPECT_TRUE(pem.error().is("connection"));
    EXPECT_EQ(pem.error().message(), "connection: http-01 for gk.test: connection refused");
    EXPECT_TRUE(r.board.live.empty());
}

TEST(AcmeClient, StopsWhenTheWaitIsInterrupted) {
    Rig r;
    r.stop = true;
    auto pem = r.client.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_FALSE(pem.ok());
    EXPECT_EQ(pem.error().type, "stopped");
    EXPECT_TRUE(r.board.live.empty());
}

TEST(AcmeClient, TransportFailureNamesTheStep) {
    Rig r;
    Client c([](const HttpCall&) -> Result<HttpReply, std::string> { return fail(std::string("connect: refused")); },
             [](std::chrono::seconds) { return true; }, r.account, options());
    auto pem = c.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_FALSE(pem.ok());
    EXPECT_EQ(pem.error().message(), "transport: directory: connect: refused");
}

TEST(AcmeClient, RetryAfterIsHonouredAndCapped) {
    Rig r;
    auto ca = [&](const HttpCall& c) {
        auto out = r.ca(c);
        if (out && c.url == "https://ca.test/chal/1") out->retry_after = "7";
        if (out && c.url == "https://ca.test/authz/1") out->retry_after = "3600";
        return out;
    };
    Client c(ca, [&](std::chrono::seconds d) { r.waits.push_back(d); return true; }, r.account,
             options());
    r.ca.authz_pending_polls = 2;
    auto pem = c.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_TRUE(pem.ok()) << pem.error().message();
    ASSERT_GE(r.waits.size(), 2u);
    EXPECT_EQ(r.waits[0], std::chrono::seconds(7));
    EXPECT_EQ(r.waits[1], std::chrono::seconds(30));
}

TEST(AcmeClient, TlsAlpnAnswersTheTlsAlpnChallengeOnly) {
    Rig r;
    r.board.type = ChallengeType::tls_alpn01;
    auto pem = r.client.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_TRUE(pem.ok()) << pem.error().message();
    EXPECT_EQ(r.ca.answered_type, "tls-alpn-01");
    ASSERT_EQ(r.board.seen.size(), 1u);
    EXPECT_EQ(r.board.seen[0].identifier, "gk.test");
    EXPECT_EQ(r.board.seen[0].token, r.ca.alpn_token);
    EXPECT_EQ(r.board.seen[0].key_authorization, key_authorization(r.ca.alpn_token, r.account));
    EXPECT_TRUE(r.board.live.empty());
    EXPECT_TRUE(std::none_of(r.ca.calls.begin(), r.ca.calls.end(),
                             [](const HttpCall& c) { return c.url == "https://ca.test/chal/1"; }));
}

TEST(AcmeClient, TlsAlpnFailureNamesTheChallenge) {
    Rig r;
    r.board.type = ChallengeType::tls_alpn01;
    r.ca.challenge_fails = true;
    auto pem = r.client.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_FALSE(pem.ok());
    EXPECT_EQ(pem.error().message(), "connection: tls-alpn-01 for gk.test: connection refused");
    EXPECT_TRUE(r.board.live.empty());
}

TEST(AcmeClient, ABoardThatCannotShowTheAnswerFailsBeforeTheCaLooks) {
    Rig r;
    r.board.type = ChallengeType::tls_alpn01;
    r.board.refuse = "no certificate";
    auto pem = r.client.obtain({"gk.test"}, crypto::Key::generate_ec(crypto::Curve::p256), r.board.view());
    ASSERT_FALSE(pem.ok());
    EXPECT_EQ(pem.error().detail, "no certificate");
    EXPECT_FALSE(r.ca.challenge_answered);
}

TEST(AcmeRequest, KeyAuthorizationIsTokenDotThumbprint) {
    const auto key = crypto::Key::generate_ec(crypto::Curve::p256);
    const auto ka = key_authorization("tok", key);
    ASSERT_TRUE(ka.starts_with("tok."));
    EXPECT_EQ(ka.size(), 4u + 43u);  // base64url of 32 bytes, unpadded
}

}  // namespace
}  // namespace gk::acme
