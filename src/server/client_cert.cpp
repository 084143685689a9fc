#include "server/client_cert.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"

namespace gk::server {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
void free_names(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, free_names>>;
void free_name_stack(STACK_OF(X509_NAME)* s) { sk_X509_NAME_pop_free(s, X509_NAME_free); }
using NameStackPtr = std::unique_ptr<STACK_OF(X509_NAME), Deleter<STACK_OF(X509_NAME), free_name_stack>>;

// Verification happens after the handshake (read_client_certificate).
int verify_after_handshake(X509_STORE_CTX*, void*) { return 1; }

void load_crls(X509_STORE* store, const std::string& file) {
    BioPtr bio(BIO_new_file(file.c_str(), "r"));
    if (!bio) throw std::runtime_error("cannot read client CRL file " + file);
    int n = 0;
    while (CrlPtr crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)}) {
        if (X509_STORE_add_crl(store, crl.get()) != 1)
            throw std::runtime_error("cannot use a CRL of " + file);
        ++n;
    }
    ERR_clear_error();  // the end of the file reads as "no start line"
    if (n == 0) throw std::runtime_error("client CRL file " + file + " holds no PEM X509 CRL");
}

std::string utf8_of(const ASN1_STRING* s) {
    unsigned char* out = nullptr;
    const int n = ASN1_STRING_to_UTF8(&out, s);
    if (n < 0) return {};
    std::string text(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    return text;
}

std::vector<std::string> entries_of(const X509_NAME* name, int nid) {
    std::vector<std::string> out;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i))
        out.push_back(utf8_of(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
    return out;
}

// RFC 4514 (most specific RDN first), with UTF-8 kept as is.
std::string rfc4514(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

void read_sans(X509* cert, gate::ClientCertificate& out) {
    NamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
        if (g->type == GEN_DNS) out.san_dns.push_back(utf8_of(g->d.dNSName));
        else if (g->type == GEN_EMAIL) out.san_email.push_back(utf8_of(g->d.rfc822Name));
        else if (g->type == GEN_URI) out.san_uri.push_back(utf8_of(g->d.uniformResourceIdentifier));
    }
}

std::string serial_hex(X509* cert) {
    BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    if (!bn) return {};
    char* hex = BN_bn2hex(bn.get());
    if (!hex) return {};
    std::string out(hex);
    OPENSSL_free(hex);
    return out;
}

std::int64_t epoch_seconds(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string thumbprint(X509* cert) {
    unsigned char* der = nullptr;
    const int n = i2d_X509(cert, &der);
    if (n <= 0) return {};
    const std::string bytes(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return httpauth::base64url_encode(crypto::digest(crypto::DigestAlg::sha256, bytes));
}

gate::CertProblem problem_of(int err) {
    switch (err) {
        case X509_V_OK: return gate::CertProblem::none;
        case X509_V_ERR_CERT_REVOKED: return gate::CertProblem::revoked;
        case X509_V_ERR_CERT_HAS_EXPIRED: return gate::CertProblem::expired;
        case X509_V_ERR_CERT_NOT_YET_VALID: return gate::CertProblem::not_yet_valid;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_CERT_UNTRUSTED:
            return gate::CertProblem::untrusted;
        default: return gate::CertProblem::invalid;
    }
}

// The chain check, with the listener's store (client CAs, CRLs and flags)
// and the client-authentication purpose (extendedKeyUsage clientAuth when
// the certificate names usages at all).
int verify(SSL* ssl, X509* leaf) {
    X509_STORE* store = nullptr;
    SSL_CTX* ctx = SSL_get_SSL_CTX(ssl);
    if (!ctx || SSL_CTX_get0_verify_cert_store(ctx, &store) != 1 || !store) return X509_V_ERR_UNSPECIFIED;
    StoreCtxPtr check(X509_STORE_CTX_new());
    if (!check || X509_STORE_CTX_init(check.get(), store, leaf, SSL_get_peer_cert_chain(ssl)) != 1)
        return X509_V_ERR_UNSPECIFIED;
    X509_STORE_CTX_set_purpose(check.get(), X509_PURPOSE_SSL_CLIENT);
    // Stops at the first problem: that is the one the client is told about.
    const int ok = X509_verify_cert(check.get());
    const int err = X509_STORE_CTX_get_error(check.get());
    ERR_clear_error();
    return ok == 1 ? X509_V_OK : (err == X509_V_OK ? X509_V_ERR_UNSPECIFIED : err);
}

}  // namespace

void configure_client_verify(SSL_CTX* ctx, const gate::ClientCertSettings& s) {
    using Mode = gate::ClientCertSettings::Mode;
    if (s.mode == Mode::off) return;
    StorePtr store(X509_STORE_new());
    if (!store || X509_STORE_load_file(store.get(), s.ca_file.c_str()) != 1)
        throw std::runtime_error("cannot load client CA file " + s.ca_file);
    if (!s.crl_file.empty()) {
        load_crls(store.get(), s.crl_file);
        // The leaf only: CAs are revoked by taking them out of client_ca.
        X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
    }
    X509_STORE_set_purpose(store.get(), X509_PURPOSE_SSL_CLIENT);
    // A separate store: the server's own chain is never built from client CAs.
    if (SSL_CTX_set1_verify_cert_store(ctx, store.get()) != 1)
        throw std::runtime_error("cannot use client CA file " + s.ca_file);
    // The CA names in the CertificateRequest help clients pick a certificate.
    NameStackPtr names(SSL_load_client_CA_file(s.ca_file.c_str()));
    if (!names) throw std::runtime_error("client CA file " + s.ca_file + " holds no certificate");
    SSL_CTX_set_client_CA_list(ctx, names.release());
    if (s.mode == Mode::require) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        SSL_CTX_set_cert_verify_callback(ctx, verify_after_handshake, nullptr);
    }
    // Resumed sessions keep their client certificate; the context id keeps a
    // session from resuming on a listener with other client CAs or mode
    // (and OpenSSL refuses to resume without one once peers are verified).
    const std::string id = crypto::digest(crypto::DigestAlg::sha256,
                                          std::string(gate::to_string(s.mode)) + '\0' + s.ca_file + '\0' + s.crl_file);
    SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(id.data()),
                                   static_cast<unsigned int>(std::min<std::size_t>(id.size(), SSL_MAX_SID_CTX_LENGTH)));
    ERR_clear_error();
}

std::shared_ptr<const gate::ClientCertificate> read_client_certificate(SSL* ssl) {
    X509* leaf = SSL_get0_peer_certificate(ssl);
    if (!leaf) return nullptr;
    auto out = std::make_shared<gate::ClientCertificate>();
    const int err = verify(ssl, leaf);
    out->verified = err == X509_V_OK;
    out->problem = problem_of(err);
    if (!out->verified) out->error = X509_verify_cert_error_string(err);
    const X509_NAME* subject = X509_get_subject_name(leaf);
    out->subject = rfc4514(subject);
    auto cns = entries_of(subject, NID_commonName);
    if (!cns.empty()) out->subject_cn = cns.back();
    out->ou = entries_of(subject, NID_organizationalUnitName);
    read_sans(leaf, *out);
    out->serial = serial_hex(leaf);
    out->not_after = epoch_seconds(X509_get0_notAfter(leaf));
    out->thumbprint = thumbprint(leaf);
    return out;
}

}  // namespace gk::server
