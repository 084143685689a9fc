#include "server/acme_alpn.hpp"

#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "server/tls_context.hpp"

namespace gk::server {
namespace {

// ALPN wire format: one length byte, then the name.
constexpr unsigned char kAcmeTlsWire[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1'};
static_assert(sizeof kAcmeTlsWire == 1 + acme::kAcmeTlsAlpn.size());

struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};

std::string host_key(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    std::string out(name);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// The challenge context's ALPN choice: acme-tls/1 or nothing. A fatal alert
// (no_application_protocol) rather than no ALPN: this context must never
// end in a connection that speaks HTTP.
int select_acme_tls_only(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                         unsigned int inlen, void*) {
    unsigned char* sel = nullptr;
    if (SSL_select_next_proto(&sel, outlen, kAcmeTlsWire, sizeof kAcmeTlsWire, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

int offer_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}
char offered_marker;  // its address is the "offered" flag

// Whether an ALPN extension body (RFC 7301 section 3.1: a 2-byte length, then
// length-prefixed names) lists acme-tls/1. Malformed lists count as "no".
bool lists_acme_tls(const unsigned char* p, std::size_t len) {
    if (len < 2) return false;
    const std::size_t list = (std::size_t{p[0]} << 8) | p[1];
    if (list != len - 2) return false;
    for (std::size_t i = 2; i < len;) {
        const std::size_t n = p[i];
        if (n == 0 || i + 1 + n > len) return false;
        if (n == acme::kAcmeTlsAlpn.size() && std::equal(p + i + 1, p + i + 1 + n, kAcmeTlsWire + 1))
            return true;
        i += 1 + n;
    }
    return false;
}

int note_offer(SSL* ssl, int*, void*) {
    const unsigned char* ext = nullptr;
    std::size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &ext, &len) == 1 &&
        lists_acme_tls(ext, len))
        SSL_set_ex_data(ssl, offer_index(), &offered_marker);
    return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

Result<Ok, std::string> AcmeAlpnCerts::put(const std::string& host, const acme::TlsAlpnCertificate& cert) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()), SslCtxFree{});
    if (!ctx) return fail(std::string("SSL_CTX_new failed"));
    SSL_CTX* c = ctx.get();
    const auto* der = reinterpret_cast<const unsigned char*>(cert.cert_der.data());
    std::unique_ptr<X509, X509Free> x509(d2i_X509(nullptr, &der, static_cast<long>(cert.cert_der.size())));
    if (!x509) return fail(std::string("the validation certificate does not parse"));
    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate(c, x509.get()) != 1 || !cert.key.native() ||
        SSL_CTX_use_PrivateKey(c, cert.key.native()) != 1 || SSL_CTX_check_private_key(c) != 1)
        return fail(std::string("cannot load the validation certificate and key"));
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_num_tickets(c, 0);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_alpn_select_cb(c, select_acme_tls_only, nullptr);
    std::lock_guard lock(mu_);
    pending_[host_key(host)] = std::move(ctx);
    return Ok{};
}

void AcmeAlpnCerts::remove(const std::string& host) {
    std::lock_guard lock(mu_);
    pending_.erase(host_key(host));
}

SslCtxPtr AcmeAlpnCerts::find(std::string_view sni) const {
    const std::string key = host_key(sni);
    std::lock_guard lock(mu_);
    auto it = pending_.find(key);
    return it == pending_.end() ? nullptr : it->second;
}

void note_acme_tls_offers(SSL_CTX* front) { SSL_CTX_set_client_hello_cb(front, note_offer, nullptr); }

bool offers_acme_tls(SSL* ssl) { return SSL_get_ex_data(ssl, offer_index()) == &offered_marker; }

bool use_challenge_context(SSL* ssl, const SslCtxPtr& ctx) {
    if (SSL_set_SSL_CTX(ssl, ctx.get()) != ctx.get()) return false;
    // The SSL keeps the listener's verify mode and options: a listener that
    // requires client certificates must not ask the CA for one.
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    SSL_set_options(ssl, SSL_OP_NO_TICKET);
    SSL_set_num_tickets(ssl, 0);
    return true;
}

bool selected_acme_tls(const SSL* ssl) {
    const unsigned char* proto = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &proto, &len);
    return len == acme::kAcmeTlsAlpn.size() &&
           std::string_view(reinterpret_cast<const char*>(proto), len) == acme::kAcmeTlsAlpn;
}

}  // namespace gk::server
