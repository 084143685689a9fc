#pragma once
// Remembers password verifications that succeeded, so a repeated correct Basic
// credential costs an HMAC instead of a bcrypt/argon2 run. Keyed by
// HMAC(process key, user, password, stored hash): the cache never holds a
// password, and a changed stored hash misses by construction. Failures are
// never cached. Bounded (LRU) with a TTL. Not thread-safe: one per worker thread.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "gatekeeper/crypto/hmac_key.hpp"
#include "gatekeeper/gate/lru_cache.hpp"

namespace gk::gate {

class CredentialCache {
public:
    using Clock = std::chrono::steady_clock;

    CredentialCache(std::string hmac_key, std::size_t capacity, std::chrono::seconds ttl);

    [[nodiscard]] std::string key_for(std::string_view user, std::string_view password,
                                      std::string_view stored_hash) const;
    [[nodiscard]] bool contains(const std::string& key, Clock::time_point now);
    void remember(const std::string& key, Clock::time_point now);
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

private:
    struct Verified {};
    crypto::HmacKey hmac_;  // prepared once: key_for() runs on every Basic request
    std::chrono::seconds ttl_;
    LruCache<Verified, Clock> entries_;
};

}  // namespace gk::gate
