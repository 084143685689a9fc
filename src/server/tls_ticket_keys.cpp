#include "server/tls_ticket_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gk::server {

TicketKeyRing::TicketKeyRing(std::chrono::seconds rotation, Clock clock, Random random)
    : rotation_(rotation), clock_(std::move(clock)), random_(std::move(random)) {
    if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
    if (!random_)
        random_ = [](std::uint8_t* p, std::size_t n) { return RAND_bytes(p, static_cast<int>(n)) == 1; };
}

TicketKeyRing::~TicketKeyRing() {
    for (auto& k : keys_) OPENSSL_cleanse(&k, sizeof k);
}

void TicketKeyRing::forget_expired(std::chrono::system_clock::time_point now) {
    // A key encrypts for one period and decrypts for one more.
    while (!keys_.empty() && keys_.back().created + 2 * rotation_ <= now) {
        OPENSSL_cleanse(&keys_.back(), sizeof(TicketKey));
        keys_.pop_back();
    }
}

std::optional<TicketKey> TicketKeyRing::encrypting_key() {
    std::lock_guard lock(mu_);
    const auto now = clock_();
    forget_expired(now);
    if (keys_.empty() || keys_.front().created + rotation_ <= now) {
        TicketKey k;
        if (!random_(k.name.data(), k.name.size()) || !random_(k.aes_key.data(), k.aes_key.size()) ||
            !random_(k.hmac_key.data(), k.hmac_key.size())) {
            OPENSSL_cleanse(&k, sizeof k);
            return std::nullopt;
        }
        k.created = now;
        keys_.push_front(k);
        OPENSSL_cleanse(&k, sizeof k);
    }
    return keys_.front();
}

std::optional<TicketKeyRing::Found> TicketKeyRing::decrypting_key(const std::uint8_t* name) {
    std::lock_guard lock(mu_);
    const auto now = clock_();
    forget_expired(now);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        if (CRYPTO_memcmp(keys_[i].name.data(), name, keys_[i].name.size()) != 0) continue;
        const bool current = i == 0 && keys_[i].created + rotation_ > now;
        return Found{keys_[i], current};
    }
    return std::nullopt;
}

std::size_t TicketKeyRing::size() {
    std::lock_guard lock(mu_);
    forget_expired(clock_());
    return keys_.size();
}

namespace {

// The ring of a context, found from inside OpenSSL's callback.
int ring_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

bool set_hmac_key(EVP_MAC_CTX* hctx, TicketKey& k) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, k.hmac_key.data(), k.hmac_key.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(hctx, params) == 1;
}

// OpenSSL's contract: encrypting, 1 = ticket made, 0 = no ticket;
// decrypting, 0 = unknown key (full handshake), 1 = ok, 2 = ok and renew, -1 = error.
int ticket_key_callback(SSL* ssl, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                        EVP_CIPHER_CTX* cctx, EVP_MAC_CTX* hctx, int enc) {
    auto* ring = static_cast<TicketKeyRing*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ring_index()));
    if (!ring) return enc ? 0 : -1;
    if (enc) {
        auto k = ring->encrypting_key();
        if (!k) return 0;
        const int iv_len = EVP_CIPHER_get_iv_length(EVP_aes_256_cbc());
        int rc = 0;
        if (RAND_bytes(iv, iv_len) == 1 &&
            EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, k->aes_key.data(), iv) == 1 && set_hmac_key(hctx, *k)) {
            std::memcpy(key_name, k->name.data(), k->name.size());
            rc = 1;
        }
        OPENSSL_cleanse(&*k, sizeof(TicketKey));
        return rc;
    }
    auto found = ring->decrypting_key(key_name);
    if (!found) return 0;
    int rc = -1;
    if (set_hmac_key(hctx, found->key) &&
        EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, found->key.aes_key.data(), iv) == 1)
        rc = found->current ? 1 : 2;
    OPENSSL_cleanse(&found->key, sizeof(TicketKey));
    return rc;
}

}  // namespace

void use_ticket_keys(SSL_CTX* ctx, TicketKeyRing& ring) {
    if (SSL_CTX_set_ex_data(ctx, ring_index(), &ring) != 1 ||
        SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback) != 1)
        throw std::runtime_error("cannot install the session ticket key callback");
}

}  // namespace gk::server
