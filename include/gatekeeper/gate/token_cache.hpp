#pragma once
// Verified Bearer tokens, so a repeated token costs a hash and a lookup, not a
// signature check. Keyed by SipHash-2-4 of the token under a per-process
// random key (crypto::KeyedHash: nobody outside can aim tokens at one slot),
// and a hit also needs the stored token to equal the presented one (compared
// in constant time), so neither a 64-bit collision nor a planted hash can
// answer for another token. The token is kept as a Secret (zeroed when the
// entry goes); a SHA-256 key would hash several times slower on every cached
// request. Each entry lives until the earlier of the token's exp (+ leeway)
// and a configured bound, and expiry is checked again at every use. Only
// verified tokens enter. Not thread-safe: one per worker thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/common/secret.hpp"
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

// What key_for() gives: the keyed hash and a view of the token itself, which
// must outlive the key (find and remember compare and copy it).
struct TokenKey {
    std::uint64_t hash = 0;
    std::string_view token;
};

class TokenCache {
public:
    using Clock = std::chrono::system_clock;  // exp is wall-clock time

    TokenCache(std::size_t capacity, std::chrono::seconds ttl) : ttl_(ttl), entries_(capacity) {}

    [[nodiscard]] static TokenKey key_for(std::string_view token);
    // The entry for exactly this token (not merely this hash), live at `now`.
    [[nodiscard]] const VerifiedToken* find(const TokenKey& key, Clock::time_point now);
    // `valid_until`: exp plus the issuer's leeway. Replaces whatever held the same hash.
    void remember(const TokenKey& key, VerifiedToken v, Clock::time_point valid_until, Clock::time_point now);
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

private:
    struct Entry {
        Secret token;
        VerifiedToken verified;
    };
    std::chrono::seconds ttl_;
    LruCache<Entry, Clock, std::uint64_t> entries_;
};

}  // namespace gk::gate
