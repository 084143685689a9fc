#include "server/self_signed.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <unistd.h>
#include <stdexcept>

namespace gk::server {
namespace {

struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct X509Free { void operator()(X509* p) const { X509_free(p); } };
struct ExtFree { void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); } };
struct FileClose { void operator()(FILE* f) const { std::fclose(f); } };

void fail_if(bool bad, const char* what) {
    if (bad) throw std::runtime_error(std::string("self-signed certificate: ") + what);
}

void write_pem(const std::string& path, mode_t mode, const std::function<int(FILE*)>& write) {
    const std::string tmp = path + ".tmp";
    {
        std::unique_ptr<FILE, FileClose> f(std::fopen(tmp.c_str(), "wx"));
        fail_if(!f, "cannot create file");
        ::fchmod(::fileno(f.get()), mode);
        fail_if(write(f.get()) != 1, "cannot write PEM");
        fail_if(std::fflush(f.get()) != 0 || ::fsync(::fileno(f.get())) != 0, "cannot flush PEM");
    }
    fail_if(std::rename(tmp.c_str(), path.c_str()) != 0, "cannot rename PEM into place");
}

}  // namespace

void make_self_signed(const std::string& cert_file, const std::string& key_file) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
    fail_if(!key, "key generation failed");
    std::unique_ptr<X509, X509Free> cert(X509_new());
    fail_if(!cert, "X509_new failed");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    fail_if(RAND_bytes(serial, sizeof serial) != 1, "RAND_bytes failed");
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("gatekeeper demo"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
                              std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                              std::pair{NID_key_usage, "critical,digitalSignature"},
                              std::pair{NID_ext_key_usage, "serverAuth"},
                              std::pair{NID_subject_key_identifier, "hash"}}) {
        std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
        fail_if(!ext, "extension failed");
        X509_add_ext(cert.get(), ext.get(), -1);
    }
    fail_if(X509_sign(cert.get(), key.get(), EVP_sha256()) == 0, "signing failed");
    write_pem(key_file, 0600, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    write_pem(cert_file, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
}

}  // namespace gk::server
