#include "gatekeeper/gate/credential_cache.hpp"

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::gate {

CredentialCache::CredentialCache(std::string hmac_key, std::size_t capacity, std::chrono::seconds ttl)
    : hmac_key_(std::move(hmac_key)), capacity_(capacity), ttl_(ttl) {}

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
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    if (it->second->expires <= now) {
        lru_.erase(it->second);
        index_.erase(it);
        return false;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return true;
}

void CredentialCache::remember(const std::string& key, Clock::time_point now) {
    if (capacity_ == 0) return;
    auto it = index_.find(key);
    if (it != index_.end()) {
        it->second->expires = now + ttl_;
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    while (index_.size() >= capacity_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
    }
    lru_.push_front(Entry{key, now + ttl_});
    index_.emplace(key, lru_.begin());
}

}  // namespace gk::gate
