#include "gatekeeper/gate/token_cache.hpp"

#include <algorithm>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/crypto/keyed_hash.hpp"

namespace gk::gate {
namespace {

// One key per process: the cache is per thread, but a token's slot need not
// differ between threads, only be unpredictable from outside.
const crypto::KeyedHash& token_hash() {
    static const crypto::KeyedHash h;
    return h;
}

}  // namespace

TokenKey TokenCache::key_for(std::string_view token) { return TokenKey{token_hash()(token), token}; }

const VerifiedToken* TokenCache::find(const TokenKey& key, Clock::time_point now) {
    const Entry* e = entries_.find(key.hash, now);
    // Same hash, other token (a collision): a miss; the verified token then replaces it.
    if (e == nullptr || !crypto::ct_equal(e->token.reveal(), key.token)) return nullptr;
    return &e->verified;
}

void TokenCache::remember(const TokenKey& key, VerifiedToken v, Clock::time_point valid_until,
                          Clock::time_point now) {
    entries_.put(key.hash, Entry{Secret(key.token), std::move(v)}, std::min(valid_until, now + ttl_));
}

}  // namespace gk::gate
