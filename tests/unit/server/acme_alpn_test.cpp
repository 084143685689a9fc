// TLS-ALPN-01 on a listener, with real handshakes over memory BIOs: the
// validation certificate and acme-tls/1 only for a client that offers
// acme-tls/1 and names (by SNI) a host whose challenge is pending; everyone
// else, and everyone once it is withdrawn, gets the normal certificate.
#include "server/acme_alpn.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gatekeeper/acme/tls_alpn.hpp"
#include "server/self_signed.hpp"
#include "server/tls_listener.hpp"

namespace gk::server {
namespace {

namespace fs = std::filesystem;

struct SslFree {
    void operator()(SSL* p) const { SSL_free(p); }
};
struct CtxFree {
    void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};

struct Outcome {
    bool ok = false;
    std::string alpn;  // as the client saw it
    bool server_says_acme = false;
    bool acme_identifier = false;  // the certificate carries id-pe-acmeIdentifier
    std::string san;               // first dNSName
};

Outcome handshake(SSL_CTX* server_ctx, const char* sni, const std::vector<std::string>& protos) {
    std::unique_ptr<SSL_CTX, CtxFree> cctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_verify(cctx.get(), SSL_VERIFY_NONE, nullptr);
    std::unique_ptr<SSL, SslFree> c(SSL_new(cctx.get())), s(SSL_new(server_ctx));
    BIO *cb = nullptr, *sb = nullptr;
    BIO_new_bio_pair(&cb, 0, &sb, 0);
    SSL_set_bio(c.get(), cb, cb);
    SSL_set_bio(s.get(), sb, sb);
    SSL_set_connect_state(c.get());
    SSL_set_accept_state(s.get());
    if (sni) SSL_set_tlsext_host_name(c.get(), sni);
    std::string wire;
    for (const auto& p : protos) wire += static_cast<char>(p.size()) + p;
    if (!wire.empty())
        SSL_set_alpn_protos(c.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
    Outcome out;
    for (int i = 0; i < 50; ++i) {
        const int rc = SSL_do_handshake(c.get());
        const int rs = SSL_do_handshake(s.get());
        if (rc == 1 && rs == 1) {
            out.ok = true;
            break;
        }
        const int ec = SSL_get_error(c.get(), rc), es = SSL_get_error(s.get(), rs);
        const auto waiting = [](int e) {
            return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_NONE;
        };
        if (!waiting(ec) || !waiting(es)) break;
    }
    const unsigned char* p = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(c.get(), &p, &len);
    out.alpn.assign(reinterpret_cast<const char*>(p), len);
    out.server_says_acme = selected_acme_tls(s.get());
    std::unique_ptr<X509, X509Free> peer(SSL_get1_peer_certificate(c.get()));
    if (peer) {
        ASN1_OBJECT* oid = OBJ_txt2obj(acme::kAcmeIdentifierOid, 1);
        out.acme_identifier = X509_get_ext_by_OBJ(peer.get(), oid, -1) >= 0;
        ASN1_OBJECT_free(oid);
        auto* names =
            static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(peer.get(), NID_subject_alt_name, nullptr, nullptr));
        if (names && sk_GENERAL_NAME_num(names) > 0 && sk_GENERAL_NAME_value(names, 0)->type == GEN_DNS) {
            const ASN1_STRING* d = sk_GENERAL_NAME_value(names, 0)->d.dNSName;
            out.san.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)), ASN1_STRING_length(d));
        }
        GENERAL_NAMES_free(names);
    }
    return out;
}

class AcmeAlpnTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("gk-acme-alpn-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        make_self_signed((dir / "cert.pem").string(), (dir / "key.pem").string());  // SAN localhost
        gate::Listener l;
        l.tls = true;
        l.certificates.push_back({(dir / "cert.pem").string(), (dir / "key.pem").string(), 0});
        listener = std::make_unique<ListenerTls>(l, pending);
    }
    void TearDown() override { fs::remove_all(dir); }

    void make_pending(const std::string& host) {
        auto cert =
            acme::make_tls_alpn_certificate(host, "token.thumbprint", std::chrono::system_clock::now());
        ASSERT_TRUE(cert.ok());
        ASSERT_TRUE(pending->put(host, *cert).ok());
    }
    Outcome connect(const char* sni, const std::vector<std::string>& protos) {
        return handshake(listener->context().native_handle(), sni, protos);
    }

    fs::path dir;
    std::shared_ptr<AcmeAlpnCerts> pending = std::make_shared<AcmeAlpnCerts>();
    std::unique_ptr<ListenerTls> listener;
};

TEST_F(AcmeAlpnTest, PendingChallengeIsShownOnlyToAcmeTlsForItsHost) {
    make_pending("gk.test");
    auto v = connect("GK.test", {"acme-tls/1"});
    ASSERT_TRUE(v.ok);
    EXPECT_EQ(v.alpn, "acme-tls/1");
    EXPECT_TRUE(v.server_says_acme);
    EXPECT_TRUE(v.acme_identifier);
    EXPECT_EQ(v.san, "gk.test");

    const struct {
        const char* sni;
        std::vector<std::string> protos;
        const char* alpn;
    } others[] = {
        {"gk.test", {"http/1.1"}, "http/1.1"},  // a normal client for the same host
        {"gk.test", {"h2", "http/1.1"}, "http/1.1"},
        {"gk.test", {}, ""},                 // no ALPN at all
        {"other.test", {"acme-tls/1"}, ""},  // nothing pending for this name
        {nullptr, {"acme-tls/1"}, ""},       // no SNI
    };
    for (const auto& c : others) {
        auto n = connect(c.sni, c.protos);
        ASSERT_TRUE(n.ok) << (c.sni ? c.sni : "(no sni)");
        EXPECT_EQ(n.alpn, c.alpn) << (c.sni ? c.sni : "(no sni)");
        EXPECT_FALSE(n.server_says_acme);
        EXPECT_FALSE(n.acme_identifier) << (c.sni ? c.sni : "(no sni)");
        EXPECT_EQ(n.san, "localhost");
    }
}

TEST_F(AcmeAlpnTest, NothingPendingMeansNoAcmeTls) {
    auto n = connect("gk.test", {"acme-tls/1"});
    ASSERT_TRUE(n.ok);
    EXPECT_EQ(n.alpn, "");
    EXPECT_FALSE(n.server_says_acme);
    EXPECT_FALSE(n.acme_identifier);

    make_pending("gk.test");
    EXPECT_TRUE(connect("gk.test", {"acme-tls/1"}).acme_identifier);
    pending->remove("gk.test");
    auto after = connect("gk.test", {"acme-tls/1"});
    EXPECT_EQ(after.alpn, "");
    EXPECT_FALSE(after.acme_identifier);
}

TEST_F(AcmeAlpnTest, AListenerThatRequiresClientCertificatesDoesNotAskTheCa) {
    gate::Listener l;
    l.tls = true;
    l.certificates.push_back({(dir / "cert.pem").string(), (dir / "key.pem").string(), 0});
    l.client_cert.mode = gate::ClientCertSettings::Mode::require;
    l.client_cert.ca_file = (dir / "cert.pem").string();  // any CA: no client here has a certificate
    listener = std::make_unique<ListenerTls>(l, pending);
    EXPECT_FALSE(connect("gk.test", {"http/1.1"}).ok);  // require means require, for everyone else
    make_pending("gk.test");
    auto v = connect("gk.test", {"acme-tls/1"});
    ASSERT_TRUE(v.ok);
    EXPECT_EQ(v.alpn, "acme-tls/1");
    EXPECT_TRUE(v.acme_identifier);
    EXPECT_FALSE(connect("gk.test", {"http/1.1"}).ok);
}

TEST(AcmeAlpnCerts, FindIsCaseInsensitiveAndIgnoresATrailingDot) {
    AcmeAlpnCerts t;
    auto cert = acme::make_tls_alpn_certificate("gk.test", "a.b", std::chrono::system_clock::now());
    ASSERT_TRUE(cert.ok());
    ASSERT_TRUE(t.put("gk.test", *cert).ok());
    EXPECT_NE(t.find("gk.test"), nullptr);
    EXPECT_NE(t.find("GK.TEST."), nullptr);
    EXPECT_EQ(t.find("x.gk.test"), nullptr);
    EXPECT_EQ(t.find(""), nullptr);
    t.remove("GK.test");
    EXPECT_EQ(t.find("gk.test"), nullptr);
}

}  // namespace
}  // namespace gk::server
