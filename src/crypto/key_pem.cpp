// PEM in and out: SubjectPublicKeyInfo, PKCS#8 / traditional private keys,
// and the public key of an X.509 certificate. Encrypted private keys are
// refused: a passphrase prompt has no place in a server.
#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

#include "crypto/evp_ptr.hpp"
#include "crypto/key_internal.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::crypto {
namespace {

// Never ask for a passphrase (OpenSSL's default callback reads the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

bool contains(std::string_view hay, std::string_view needle) noexcept {
    return hay.find(needle) != std::string_view::npos;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || data == nullptr) return {};
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

Result<Key, KeyError> Key::from_pem(std::string_view pem) {
    constexpr std::size_t kMaxPem = 1 << 20;  // a key or a certificate, not a bundle of thousands
    if (pem.empty() || pem.size() > kMaxPem) return fail(KeyError::bad_pem);
    if (contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") || contains(pem, "Proc-Type: 4,ENCRYPTED")) {
        return fail(KeyError::unsupported);
    }
    detail::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return fail(KeyError::openssl);

    // Each reader skips PEM blocks of other kinds (e.g. "EC PARAMETERS" before
    // "EC PRIVATE KEY") and takes the first block it understands.
    detail::PkeyPtr pkey;
    if (contains(pem, "-----BEGIN CERTIFICATE-----")) {
        detail::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
        if (cert) pkey.reset(X509_get_pubkey(cert.get()));  // its own reference
    } else if (contains(pem, "PRIVATE KEY-----")) {
        pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    } else if (contains(pem, "-----BEGIN PUBLIC KEY-----")) {
        pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
    }
    ERR_clear_error();
    if (!pkey) return fail(KeyError::bad_pem);

    auto kind = detail::classify(pkey.get());
    if (!kind) return fail(kind.error());
    if (auto checked = detail::check_key(pkey.get(), *kind); !checked) return fail(checked.error());
    return adopt(pkey.release(), kind->type, kind->curve);
}

std::string Key::public_pem() const {
    if (!pkey_) return {};
    detail::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
        ERR_clear_error();
        return {};
    }
    return bio_text(bio.get());
}

Secret Key::private_pem() const {
    if (!pkey_ || !has_private()) return {};
    // Secure-heap BIO: the PEM text is wiped when the BIO goes.
    detail::BioPtr bio(BIO_new(BIO_s_secmem()));
    // PKCS#8 ("PRIVATE KEY"), unencrypted.
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    return Secret(bio_text(bio.get()));
}

}  // namespace gk::crypto
