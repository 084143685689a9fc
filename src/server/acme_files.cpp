#include "server/acme_files.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "server/self_signed.hpp"
#include "store/atomic_file.hpp"
#include "store/file_read.hpp"

namespace gk::server {
namespace {

namespace fs = std::filesystem;

struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
struct X509Free { void operator()(X509* p) const { X509_free(p); } };
struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };

constexpr fs::perms kPublicFile = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                  fs::perms::others_read;

std::optional<std::string> read_small(const fs::path& p) {
    auto r = store::read_file(p.string(), 1u << 20);
    if (!r) return std::nullopt;
    return std::move(r->text);
}

std::unique_ptr<X509, X509Free> first_cert(const std::string& pem) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return std::unique_ptr<X509, X509Free>(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

std::chrono::system_clock::time_point as_time(const ASN1_TIME* t) {
    int days = 0, secs = 0;
    ASN1_TIME_diff(&days, &secs, nullptr, t);  // from now to t
    return std::chrono::system_clock::now() + std::chrono::seconds(static_cast<long long>(days) * 86400 + secs);
}

CertFacts facts_of(X509* cert) {
    CertFacts f;
    // Signed by its own key under its own name. Not X509_check_issued(cert, cert): that also
    // wants keyCertSign in a keyUsage, which a placeholder leaf rightly lacks.
    f.self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
                    X509_verify(cert, X509_get0_pubkey(cert)) == 1;
    f.not_before = as_time(X509_get0_notBefore(cert));
    f.not_after = as_time(X509_get0_notAfter(cert));
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
        if (char* hex = BN_bn2hex(bn)) {
            f.serial = hex;
            OPENSSL_free(hex);
        }
        BN_free(bn);
    }
    return f;
}

std::optional<CertFacts> inspect_files(const fs::path& cert_file, const fs::path& key_file) {
    auto cert_pem = read_small(cert_file);
    auto key_pem = read_small(key_file);
    if (!cert_pem || !key_pem) return std::nullopt;
    auto cert = first_cert(*cert_pem);
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
    std::unique_ptr<EVP_PKEY, PkeyFree> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    OPENSSL_cleanse(key_pem->data(), key_pem->size());
    if (!cert || !key || X509_check_private_key(cert.get(), key.get()) != 1) return std::nullopt;
    return facts_of(cert.get());
}

void write_or_throw(const fs::path& p, const std::string& content, fs::perms perms) {
    auto w = store::write_file_atomically(p, content, perms);
    if (!w) throw std::runtime_error(w.error());
}

void copy_live(const fs::path& dir, const std::string& key_pem, const std::string& cert_pem) {
    write_or_throw(dir / "key.pem", key_pem, store::kPrivateFile);
    write_or_throw(dir / "cert.pem", cert_pem, kPublicFile);
}

}  // namespace

std::optional<CertFacts> inspect_pair(const std::string& dir) {
    return inspect_files(fs::path(dir) / "cert.pem", fs::path(dir) / "key.pem");
}

std::optional<CertFacts> inspect_chain(const std::string& pem) {
    auto cert = first_cert(pem);
    if (!cert) return std::nullopt;
    return facts_of(cert.get());
}

void install_pair(const std::string& dir, const std::string& key_pem, const std::string& cert_pem) {
    const fs::path next = fs::path(dir) / "next";
    std::error_code ec;
    fs::create_directories(next, ec);
    if (ec) throw std::runtime_error("cannot create " + next.string() + ": " + ec.message());
    fs::permissions(next, fs::perms::owner_all, ec);
    write_or_throw(next / "key.pem", key_pem, store::kPrivateFile);
    write_or_throw(next / "cert.pem", cert_pem, kPublicFile);
    copy_live(dir, key_pem, cert_pem);
    fs::remove(next / "cert.pem", ec);  // cert first: a lone next/key.pem is never taken for a pair
    fs::remove(next / "key.pem", ec);
}

std::string recover_pair(const std::string& dir) {
    const fs::path d(dir);
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
    fs::permissions(d, fs::perms::owner_all, ec);
    const fs::path next = d / "next";
    std::string what = "ok";
    if (inspect_files(next / "cert.pem", next / "key.pem")) {
        // An install stopped half-way: finish it.
        auto key_pem = read_small(next / "key.pem");
        auto cert_pem = read_small(next / "cert.pem");
        if (key_pem && cert_pem) {
            copy_live(d, *key_pem, *cert_pem);
            what = "recovered";
        }
    }
    fs::remove(next / "cert.pem", ec);
    fs::remove(next / "key.pem", ec);
    if (inspect_pair(dir)) return what;
    // No usable pair: a self-signed stand-in until the CA's arrives.
    fs::create_directories(next, ec);
    fs::remove(next / "cert.pem.tmp", ec);
    fs::remove(next / "key.pem.tmp", ec);
    make_self_signed((next / "cert.pem").string(), (next / "key.pem").string());
    auto key_pem = read_small(next / "key.pem");
    auto cert_pem = read_small(next / "cert.pem");
    if (!key_pem || !cert_pem) throw std::runtime_error("cannot read the placeholder back from " + next.string());
    copy_live(d, *key_pem, *cert_pem);
    fs::remove(next / "cert.pem", ec);
    fs::remove(next / "key.pem", ec);
    return "placeholder";
}

}  // namespace gk::server
