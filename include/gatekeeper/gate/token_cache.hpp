#pragma once
// Verified Bearer tokens, so a repeated token costs a hash and a lookup, not a
// signature check. Keyed by SHA-256 of the token (the cache never holds a
// token); each entry lives until the earlier of the token's exp (+ leeway)
// and a configured bound, and expiry is checked again at every use. Only
// verified tokens enter. Not thread-safe: one per worker thread.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/gate/identity.hpp"
#include "gatekeeper/gate/lru_cache.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::gate {

struct VerifiedToken {
    std::string issuer;   // name of the BearerIssuer that verified it
    Identity identity;    // with scopes
    std::string jti;      // checked against revocations at every use
    // RFC 8705 cnf x5t#S256 ("" = not bound): checked against the client
    // certificate of every request, since a cache hit says nothing about the
    // connection it arrives on.
    std::string bound_certificate;
    // The key set that verified it: a hit counts only while that set is still
    // the issuer's current one. Weak, so that the cache never keeps a key set
    // in use after its source replaced it.
    std::weak_ptr<const jose::JwkSet> keys;
};

class TokenCache {
public:
    using Clock = std::chrono::system_clock;  // exp is wall-clock time

    TokenCache(std::size_t capacity, std::chrono::seconds ttl) : ttl_(ttl), entries_(capacity) {}

    [[nodiscard]] static std::string key_for(std::string_view token);
    [[nodiscard]] const VerifiedToken* find(const std::string& key, Clock::time_point now) {
        return entries_.find(key, now);
    }
    // `valid_until`: exp plus the issuer's leeway.
    void remember(const std::string& key, VerifiedToken v, Clock::time_point valid_until, Clock::time_point now) {
        entries_.put(key, std::move(v), std::min(valid_until, now + ttl_));
    }
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

private:
    std::chrono::seconds ttl_;
    LruCache<VerifiedToken, Clock> entries_;
};

}  // namespace gk::gate
