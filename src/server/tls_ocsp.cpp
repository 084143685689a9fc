#include "server/tls_ocsp.hpp"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>

#include "server/http_client.hpp"

namespace gk::server {
namespace {

using SysClock = std::chrono::system_clock;
using namespace std::chrono_literals;

// What the stapler knows about one certificate context; lives as long as the context.
struct StapleSlot {
    std::mutex mu;
    std::string der;                // empty: nothing to staple
    SysClock::time_point good_until;
    SysClock::time_point next_fetch;  // the stapler's schedule
    std::chrono::seconds backoff{0};
    bool unusable_reported = false;   // no responder URL or no issuer: said once
};

void free_slot(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<StapleSlot*>(ptr); }

int slot_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_slot);
    return index;
}

StapleSlot* slot_of(SSL_CTX* ctx) { return static_cast<StapleSlot*>(SSL_CTX_get_ex_data(ctx, slot_index())); }

// Only asked when the client sent status_request.
int staple(SSL* ssl, void*) {
    StapleSlot* slot = slot_of(SSL_get_SSL_CTX(ssl));
    if (!slot) return SSL_TLSEXT_ERR_NOACK;
    std::lock_guard lock(slot->mu);
    if (slot->der.empty() || SysClock::now() >= slot->good_until) return SSL_TLSEXT_ERR_NOACK;
    auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(slot->der.size()));  // OpenSSL frees it
    if (!copy) return SSL_TLSEXT_ERR_NOACK;
    std::memcpy(copy, slot->der.data(), slot->der.size());
    if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, static_cast<long>(slot->der.size())) != 1) {
        OPENSSL_free(copy);
        return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}

struct OcspResponseFree { void operator()(OCSP_RESPONSE* p) const { OCSP_RESPONSE_free(p); } };
struct BasicRespFree { void operator()(OCSP_BASICRESP* p) const { OCSP_BASICRESP_free(p); } };
struct CertIdFree { void operator()(OCSP_CERTID* p) const { OCSP_CERTID_free(p); } };
struct RequestFree { void operator()(OCSP_REQUEST* p) const { OCSP_REQUEST_free(p); } };
struct StoreFree { void operator()(X509_STORE* p) const { X509_STORE_free(p); } };
struct X509StackFree { void operator()(STACK_OF(X509)* p) const { sk_X509_free(p); } };
struct StringStackFree { void operator()(STACK_OF(OPENSSL_STRING)* p) const { X509_email_free(p); } };

std::optional<SysClock::time_point> to_time(const ASN1_GENERALIZEDTIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
    return SysClock::from_time_t(timegm(&tm));
}

std::string openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    char buf[256] = "unknown error";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

// The certificate in the context's chain that issued the leaf.
X509* issuer_of(SSL_CTX* ctx, X509* leaf) {
    STACK_OF(X509)* chain = nullptr;
    if (SSL_CTX_get0_chain_certs(ctx, &chain) != 1 || !chain) return nullptr;
    for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509* c = sk_X509_value(chain, i);
        if (X509_check_issued(c, leaf) == X509_V_OK) return c;
    }
    return nullptr;
}

// The first http:// responder in the leaf's AIA, or "".
std::string responder_url(X509* leaf) {
    std::unique_ptr<STACK_OF(OPENSSL_STRING), StringStackFree> urls(X509_get1_ocsp(leaf));
    if (!urls) return "";
    for (int i = 0; i < sk_OPENSSL_STRING_num(urls.get()); ++i) {
        std::string u = sk_OPENSSL_STRING_value(urls.get(), i);
        if (u.rfind("http://", 0) == 0) return u;
    }
    return "";
}

Result<std::string, std::string> fetch(const std::string& url, X509* leaf, X509* issuer) {
    std::unique_ptr<OCSP_REQUEST, RequestFree> req(OCSP_REQUEST_new());
    OCSP_CERTID* id = OCSP_cert_to_id(nullptr, leaf, issuer);
    if (!req || !id || !OCSP_request_add0_id(req.get(), id)) {
        OCSP_CERTID_free(id);
        return fail("cannot build the OCSP request: " + openssl_reason());
    }
    unsigned char* der = nullptr;
    const int len = i2d_OCSP_REQUEST(req.get(), &der);
    if (len <= 0) return fail(std::string("cannot encode the OCSP request"));
    std::string body(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    auto parsed = parse_http_url(url);
    if (!parsed) return fail("responder URL " + url + ": " + parsed.error());
    HttpClientOptions options;
    options.timeout = 5s;  // also bounds how long a shutdown waits for this thread
    options.max_body = 64 * 1024;
    auto transport = make_http_transport(*parsed, options);
    if (!transport) return fail(transport.error());
    client::Request r;
    r.method = "POST";
    r.target = parsed->target;
    r.headers = {{"Content-Type", "application/ocsp-request"}, {"Accept", "application/ocsp-response"}};
    r.body = std::move(body);
    auto reply = (*transport)(r);
    if (!reply) return fail(reply.error());
    if (reply->status != 200) return fail("responder answered HTTP " + std::to_string(reply->status));
    return std::move(reply->body);
}

}  // namespace

void enable_ocsp_stapling(SSL_CTX* ctx) {
    auto slot = std::make_unique<StapleSlot>();
    if (SSL_CTX_set_ex_data(ctx, slot_index(), slot.get()) != 1)
        throw std::runtime_error("cannot attach the OCSP staple slot");
    slot.release();  // owned by ctx now: free_slot
    SSL_CTX_set_tlsext_status_cb(ctx, staple);
}

Result<CheckedOcsp, std::string> check_ocsp_response(const std::string& der, X509* leaf, X509* issuer,
                                                     SysClock::time_point now) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<OCSP_RESPONSE, OcspResponseFree> resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!resp) return fail(std::string("not an OCSP response"));
    if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return fail(std::string("responder status ") + OCSP_response_status_str(OCSP_response_status(resp.get())));
    std::unique_ptr<OCSP_BASICRESP, BasicRespFree> basic(OCSP_response_get1_basic(resp.get()));
    if (!basic) return fail(std::string("no basic OCSP response"));
    // Trust only the issuer: the response is signed by it or by a responder it certified for OCSP signing.
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    std::unique_ptr<STACK_OF(X509), X509StackFree> certs(sk_X509_new_null());
    if (!store || !certs || X509_STORE_add_cert(store.get(), issuer) != 1 || !sk_X509_push(certs.get(), issuer))
        return fail(std::string("out of memory"));
    X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);  // the issuer may be an intermediate
    if (OCSP_basic_verify(basic.get(), certs.get(), store.get(), 0) != 1)
        return fail("signature check failed: " + openssl_reason());
    std::unique_ptr<OCSP_CERTID, CertIdFree> id(OCSP_cert_to_id(nullptr, leaf, issuer));
    int status = -1, reason = -1;
    ASN1_GENERALIZEDTIME *revoked = nullptr, *this_upd = nullptr, *next_upd = nullptr;
    if (!id || OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked, &this_upd, &next_upd) != 1)
        return fail(std::string("the response does not cover this certificate"));
    if (status != V_OCSP_CERTSTATUS_GOOD)
        return fail(std::string("certificate status is ") + OCSP_cert_status_str(status));
    // 5 minutes of clock skew either way, as OpenSSL suggests; no maximum age beyond nextUpdate.
    if (OCSP_check_validity(this_upd, next_upd, 300, -1) != 1) {
        ERR_clear_error();
        return fail(std::string("thisUpdate/nextUpdate not current"));
    }
    auto t_this = to_time(this_upd);
    if (!t_this) return fail(std::string("unreadable thisUpdate"));
    CheckedOcsp out{*t_this, *t_this + 1h};
    if (next_upd) {
        auto t_next = to_time(next_upd);
        if (!t_next) return fail(std::string("unreadable nextUpdate"));
        out.good_until = *t_next;
    }
    if (out.good_until <= now) return fail(std::string("response already expired"));
    return out;
}

OcspStapler::OcspStapler(std::vector<const CertSet*> sets) : sets_(std::move(sets)) {
    thread_ = std::thread([this] { run(); });
}

OcspStapler::~OcspStapler() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void OcspStapler::run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        lock.unlock();
        for (const CertSet* set : sets_)
            for (const auto& cert : set->loaded()) visit(*cert);
        lock.lock();
        wake_.wait_for(lock, 1s, [this] { return stop_; });
    }
}

void OcspStapler::visit(const LoadedCert& cert) {
    SSL_CTX* ctx = cert.ctx.get();
    StapleSlot* slot = slot_of(ctx);
    if (!slot) return;
    const auto now = SysClock::now();
    {
        std::lock_guard lock(slot->mu);
        if (now < slot->next_fetch || slot->unusable_reported) return;
    }
    X509* leaf = SSL_CTX_get0_certificate(ctx);
    const std::string url = leaf ? responder_url(leaf) : "";
    X509* issuer = leaf ? issuer_of(ctx, leaf) : nullptr;
    if (url.empty() || !issuer) {
        // Not an error: self-signed and private-CA certificates usually name no responder.
        spdlog::info("OCSP stapling off for {}: {}", cert.cert_file,
                     url.empty() ? "no http OCSP responder in the certificate" : "the issuer is not in the file's chain");
        std::lock_guard lock(slot->mu);
        slot->unusable_reported = true;
        return;
    }
    auto der = fetch(url, leaf, issuer);
    auto checked = der ? check_ocsp_response(*der, leaf, issuer, now)
                       : Result<CheckedOcsp, std::string>(fail(der.error()));
    std::lock_guard lock(slot->mu);
    if (checked) {
        slot->der = std::move(*der);
        slot->good_until = checked->good_until;
        slot->backoff = 0s;
        // Refresh at half the validity, at least a minute apart.
        const auto half = (checked->good_until - now) / 2;
        slot->next_fetch = now + std::max<SysClock::duration>(half, 1min);
        spdlog::info("OCSP staple for {} fetched from {}; next fetch in {} s", cert.cert_file, url,
                     std::chrono::duration_cast<std::chrono::seconds>(slot->next_fetch - now).count());
    } else {
        slot->backoff = std::min<std::chrono::seconds>(slot->backoff == 0s ? 5s : slot->backoff * 2, 5min);
        slot->next_fetch = now + slot->backoff;
        spdlog::warn("OCSP staple for {} from {}: {}; {}; retry in {} s", cert.cert_file, url, checked.error(),
                     slot->der.empty() || now >= slot->good_until ? "stapling nothing"
                                                                    : "keeping the previous staple while it is current",
                     slot->backoff.count());
    }
}

}  // namespace gk::server
