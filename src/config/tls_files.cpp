#include "config/tls_files.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace gk::config::detail {
namespace {

struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
struct X509Free { void operator()(X509* x) const { X509_free(x); } };
struct PkeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };

std::unique_ptr<BIO, BioFree> open_file(const std::string& path) {
    return std::unique_ptr<BIO, BioFree>(BIO_new_file(path.c_str(), "r"));
}

}  // namespace

std::optional<std::string> cert_key_problem(const std::string& cert_file, const std::string& key_file) {
    auto cert_bio = open_file(cert_file);
    if (!cert_bio) return "cannot open certificate file " + cert_file;
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        ERR_clear_error();
        return cert_file + " holds no PEM certificate";
    }
    auto key_bio = open_file(key_file);
    if (!key_bio) return "cannot open key file " + key_file;
    // An empty passphrase callback: an encrypted key fails here instead of prompting on the terminal.
    auto no_passphrase = [](char*, int, int, void*) { return 0; };
    std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
    if (!key) {
        ERR_clear_error();
        return key_file + " holds no unencrypted PEM private key";
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        ERR_clear_error();
        return "key " + key_file + " does not match certificate " + cert_file;
    }
    return std::nullopt;
}

}  // namespace gk::config::detail
