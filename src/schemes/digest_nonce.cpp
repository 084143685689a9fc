// Stateless Digest nonces (an HMAC over issue time and randomness, so any
// instance holding the key can check them without shared state) and the
// per-nonce nc memory that turns "unforgeable" into "not replayable".
#include <algorithm>
#include <stdexcept>
#include <string>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace gk::schemes {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;

constexpr std::size_t kTimeSize = 8;
constexpr std::size_t kRandomSize = 12;
constexpr std::size_t kMacSize = 16;  // 128-bit tag: forging needs ~2^128 guesses
constexpr std::size_t kRawSize = kTimeSize + kRandomSize + kMacSize;
static_assert(kRawSize % 3 == 0 && kRawSize / 3 * 4 == DigestNonces::kNonceSize, "no base64url padding");
constexpr std::size_t kOpaqueMacSize = 18;

// Labels for the derived keys: one server key, separate MACs per purpose.
constexpr std::string_view kNonceLabel = "gatekeeper digest nonce v1";
constexpr std::string_view kOpaqueLabel = "gatekeeper digest opaque v1";

std::int64_t to_millis(Clock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

std::string encode_time(std::int64_t ms) {
    auto u = static_cast<std::uint64_t>(ms);
    std::string out(kTimeSize, '\0');
    for (std::size_t i = kTimeSize; i-- > 0;) {
        out[i] = static_cast<char>(u & 0xFF);
        u >>= 8;
    }
    return out;
}

std::int64_t decode_time(std::string_view raw) {
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < kTimeSize; ++i) u = (u << 8) | static_cast<unsigned char>(raw[i]);
    return static_cast<std::int64_t>(u);
}

// The raw octets of a nonce of our shape, or nullopt (no MAC check).
std::optional<std::string> decode_raw(std::string_view nonce) {
    if (nonce.size() != DigestNonces::kNonceSize) return std::nullopt;
    auto raw = httpauth::base64url_decode(nonce);
    if (!raw || raw->size() != kRawSize) return std::nullopt;
    return raw;
}

void wipe(std::string& s) noexcept {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
}

// Throws (after wiping the key) on a configuration error; otherwise returns the key.
const std::string& validated(std::string& secret_key, std::chrono::seconds lifetime, std::chrono::seconds max_skew) {
    if (secret_key.size() < DigestNonces::kMinKeySize) {
        wipe(secret_key);
        throw std::invalid_argument("DigestNonces: key shorter than 32 bytes");
    }
    if (lifetime.count() <= 0 || max_skew.count() < 0) {
        wipe(secret_key);
        throw std::invalid_argument("DigestNonces: lifetime must be positive and skew non-negative");
    }
    return secret_key;
}

// HMAC key = HMAC-SHA-256(secret, label), prepared; the derived bytes are wiped.
crypto::HmacKey derive(std::string_view secret_key, std::string_view label) {
    std::string derived = crypto::hmac(crypto::DigestAlg::sha256, secret_key, label);
    crypto::HmacKey key(crypto::DigestAlg::sha256, derived);
    wipe(derived);
    return key;
}

}  // namespace

DigestNonces::DigestNonces(std::string secret_key, std::chrono::seconds lifetime, std::chrono::seconds max_skew)
    : nonce_mac_(derive(validated(secret_key, lifetime, max_skew), kNonceLabel)),
      opaque_mac_(derive(secret_key, kOpaqueLabel)),
      lifetime_(lifetime),
      max_skew_(max_skew) {
    wipe(secret_key);
}

std::string DigestNonces::issue(Clock::time_point now) const {
    std::string raw = encode_time(to_millis(now));
    raw += crypto::random_bytes(kRandomSize);
    raw += nonce_mac_.mac(raw).substr(0, kMacSize);
    return httpauth::base64url_encode(raw);
}

DigestNonces::NonceState DigestNonces::check(std::string_view nonce, Clock::time_point now) const {
    const auto raw = decode_raw(nonce);
    if (!raw) return NonceState::forged;
    const std::string_view body = std::string_view(*raw).substr(0, kTimeSize + kRandomSize);
    const std::string_view tag = std::string_view(*raw).substr(kTimeSize + kRandomSize);
    const std::string want = nonce_mac_.mac(body).substr(0, kMacSize);
    if (!crypto::ct_equal(tag, want)) return NonceState::forged;
    // Genuine from here on; the time is trustworthy.
    const std::int64_t issued = decode_time(*raw);
    const std::int64_t at = to_millis(now);
    // We never issue into the future: a time beyond the skew means a clock or
    // key problem, and such a nonce would otherwise live longer than its lifetime.
    if (issued > at && issued - at > max_skew_.count()) return NonceState::forged;
    if (at > issued && at - issued > lifetime_.count()) return NonceState::stale;
    return NonceState::valid;
}

std::string DigestNonces::opaque_for(std::string_view realm) const {
    return httpauth::base64url_encode(
        opaque_mac_.mac(realm).substr(0, kOpaqueMacSize));
}

std::optional<Clock::time_point> DigestNonces::issued_at(std::string_view nonce) {
    const auto raw = decode_raw(nonce);
    if (!raw) return std::nullopt;
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(milliseconds(decode_time(*raw))));
}

const char* to_string(DigestNonces::NonceState s) noexcept {
    switch (s) {
        case DigestNonces::NonceState::valid: return "valid";
        case DigestNonces::NonceState::stale: return "stale";
        case DigestNonces::NonceState::forged: return "forged";
    }
    return "unknown";
}

NonceCountStore::~NonceCountStore() = default;

MemoryNonceCountStore::MemoryNonceCountStore(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

bool MemoryNonceCountStore::record(std::string_view nonce, std::uint32_t nc) {
    if (nc == 0) return false;  // counts start at 00000001
    const std::string key(nonce);
    const std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
        if (nc <= it->second.max_nc) return false;  // replayed or out of order
        it->second.max_nc = nc;
        return true;
    }
    const auto issued_tp = DigestNonces::issued_at(nonce);
    if (!issued_tp) return false;  // not our format: its age, hence its history, is unknown
    const Millis issued = to_millis(*issued_tp);
    // At or before the floor, this may be a nonce we evicted: refuse (fail closed).
    if (floor_ && issued <= *floor_) return false;
    if (entries_.size() >= capacity_) {
        // Evicting a newer nonce to make room for an older one is a bad trade:
        // the client of the older one is simply sent a fresh nonce.
        if (issued <= by_age_.begin()->first) return false;
        const auto oldest = by_age_.begin();
        floor_ = floor_ ? std::max(*floor_, oldest->first) : oldest->first;
        const auto victim = entries_.find(*oldest->second);
        by_age_.erase(oldest);
        entries_.erase(victim);
    }
    const auto [it, inserted] = entries_.emplace(key, Entry{nc, issued});
    by_age_.emplace(issued, &it->first);
    return inserted;
}

std::size_t MemoryNonceCountStore::size() const {
    const std::lock_guard lock(mu_);
    return entries_.size();
}

}  // namespace gk::schemes
