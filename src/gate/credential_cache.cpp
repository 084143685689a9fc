#include "gatekeeper/gate/credential_cache.hpp"

#include <string>

namespace gk::gate {

CredentialCache::CredentialCache(std::string hmac_key, std::size_t capacity, std::chrono::seconds ttl)
    : hmac_(crypto::DigestAlg::sha256, hmac_key), ttl_(ttl), entries_(capacity) {
    // The key now lives (only) in the prepared HMAC context; wipe this copy.
    volatile char* p = hmac_key.data();
    for (std::size_t i = 0; i < hmac_key.size(); ++i) p[i] = 0;
}

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
    auto mac = hmac_.mac(msg);
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
