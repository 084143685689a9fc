#include "gatekeeper/gate/credential_cache.hpp"

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::gate {

CredentialCache::CredentialCache(std::string hmac_key, std::size_t capacity, std::chrono::seconds ttl)
    : hmac_key_(std::move(hmac_key)), ttl_(ttl), entries_(capacity) {}

std::string CredentialCache::key_for(std::string_view user, std::string_view password,
                                     std::string_view stored_hash) const {
    // Length-prefix each part so ("a:b","c") and ("a","b:c") cannot collide.
    std::string msg;
    msg.reserve(user.size() + password.size() + stored_hash.size() + 24);
    for (auto part : {user, password, stored_hash}) {
        msg += std::to_string(part.size());
        msg += ':';
        msg.append(part);
    }
    auto mac = crypto::hmac(crypto::DigestAlg::sha256, hmac_key_, msg);
    volatile char* p = msg.data();
    for (std::size_t i = 0; i < msg.size(); ++i) p[i] = 0;
    return mac;
}

bool CredentialCache::contains(const std::string& key, Clock::time_point now) {
    return entries_.find(key, now) != nullptr;
}

void CredentialCache::remember(const std::string& key, Clock::time_point now) {
    entries_.put(key, Verified{}, now + ttl_);
}

}  // namespace gk::gate
