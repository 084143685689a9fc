#pragma once
// The Digest scheme (RFC 7616), pure core: parsing credentials, the hash
// computations of sections 3.4.1-3.5, the challenge as a value, stateless
// nonces and the nonce-count memory that stops replays, and htdigest text.
// No clock is read here: every function that needs the time takes it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/common/secret.hpp"
#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/crypto/hmac_key.hpp"
#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::schemes {

// ---- algorithms (section 3.3, 6.1) ------------------------------------------

enum class DigestAlgorithm { md5, md5_sess, sha256, sha256_sess, sha512_256, sha512_256_sess };

// The RFC token: "MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess".
const char* to_string(DigestAlgorithm) noexcept;
// Case-insensitive; nullopt for anything unknown (including "SHA-512" and "").
std::optional<DigestAlgorithm> parse_digest_algorithm(std::string_view token) noexcept;
bool is_sess(DigestAlgorithm) noexcept;
// The non-sess member of the family (md5_sess -> md5): what H(A1) is stored for.
DigestAlgorithm base_of(DigestAlgorithm) noexcept;
// SHA-512-256 is FIPS 180-4 SHA-512/256 (RFC erratum 4897), not truncated SHA-512.
crypto::DigestAlg hash_of(DigestAlgorithm) noexcept;
// Length of H(...) in hex: 32 (MD5) or 64.
std::size_t hex_length(DigestAlgorithm) noexcept;

// ---- credentials (section 3.4) ------------------------------------------------

struct DigestCredentials {
    enum class Qop { auth, auth_int };

    // Clear user name, UTF-8 (decoded from username* when that was sent), or, with
    // userhash, the lower-case hex H(user ":" realm) to look the user up by.
    std::string username;
    bool userhash = false;
    std::string realm, nonce, uri;
    std::string response;  // lower-case hex, exactly hex_length(algorithm)
    std::string cnonce;
    std::string opaque;    // empty when absent; the gate compares it to opaque_for(realm)
    DigestAlgorithm algorithm = DigestAlgorithm::md5;
    Qop qop = Qop::auth;
    std::uint32_t nc = 0;  // >= 1
    std::string nc_text;   // the 8 hex digits exactly as sent: they enter the response
};

const char* to_string(DigestCredentials::Qop) noexcept;  // "auth" / "auth-int"

enum class DigestError {
    not_digest,       // scheme is not "Digest" (case-insensitive)
    not_params,       // a token68 instead of auth-params
    missing_param,    // a required parameter is absent (or empty where it may not be)
    duplicate_param,  // a parameter name occurs twice (RFC 9110 section 11.2)
    too_long,         // a parameter value over kMaxDigestParam octets
    bad_username,     // username and username* both, bad ext-value, CTL or non-UTF-8, not a hash with userhash
    bad_userhash,     // userhash is neither true nor false
    bad_algorithm,    // not one of the six RFC tokens
    bad_qop,          // not exactly "auth" or "auth-int" (a list, a quoted list, other case)
    bad_nc,           // not exactly 8 hex digits, or zero
    bad_response,     // not hex, or not the algorithm's digest length
};
const char* to_string(DigestError) noexcept;

// Upper bound on each parameter value (after unquoting). Real values are far
// shorter (a SHA-256 response is 64, our nonces are 48).
inline constexpr std::size_t kMaxDigestParam = 1024;

// Strict parse of Authorization: Digest ... . Required: username or username*,
// realm, nonce, uri, response, qop, cnonce, nc; the RFC 2069 form without qop
// is refused. Values may arrive quoted or not (the meaning is the same, and
// some clients quote qop); unknown parameters are ignored. Nothing is compared
// here: realm, opaque, nonce validity, uri == request-target and the response
// itself are the gate's checks.
Result<DigestCredentials, DigestError> parse_digest(const httpauth::Credentials& c);

// ---- computations (sections 3.4.1-3.5); every result is lower-case hex -------------

// H(user ":" realm ":" password) with the hash of `alg`'s family (sess or not):
// the password-equivalent value stored per realm (htdigest stores the MD5 one).
std::string digest_ha1(DigestAlgorithm alg, std::string_view user, std::string_view realm,
                       std::string_view password);

// The request-digest the client should have sent (3.4.1). `ha1_hex` is
// digest_ha1(c.algorithm, clear user, realm, password); for -sess it is turned
// into H(ha1_hex ":" nonce ":" cnonce) here. `body_hash_hex` is
// body_hash(c.algorithm, entity-body) and is used only for qop=auth-int.
std::string expected_response(const DigestCredentials& c, std::string_view ha1_hex, std::string_view method,
                              std::string_view body_hash_hex);

// Constant-time comparison of c.response with `expected_hex` (any hex case).
bool response_matches(const DigestCredentials& c, std::string_view expected_hex);

// rspauth of Authentication-Info (3.5): like the response but A2 = ":" uri
// [":" H(response-body)]. Send it with the same qop, nc and cnonce.
std::string rspauth(const DigestCredentials& c, std::string_view ha1_hex, std::string_view body_hash_hex);

// H(user ":" realm) (3.4.4): what a client sends as username with userhash=true.
std::string digest_userhash(DigestAlgorithm alg, std::string_view user, std::string_view realm);

// H(body) for qop=auth-int.
std::string body_hash(DigestAlgorithm alg, std::string_view body);

// Digest realm="..", qop="auth, auth-int" | "auth", algorithm=SHA-256, nonce="..",
// opaque=".." (omitted when empty), charset=UTF-8, userhash=true (only when
// offered), stale=true (only when stale): the shape of RFC 7616 3.9.1 / 3.9.2.
httpauth::Challenge digest_challenge(std::string_view realm, DigestAlgorithm alg, std::string_view nonce,
                                     std::string_view opaque, bool stale, bool qop_auth_int_offered,
                                     bool userhash);

// ---- nonces --------------------------------------------------------------------

// Stateless, unforgeable nonces:
//   nonce = base64url( ts (8 octets, big-endian ms since the Unix epoch)
//                      || 12 random octets
//                      || HMAC-SHA-256(nonce_key, ts || random)[0..16) )   -> 48 characters
// nonce_key and opaque_key are derived from the server key by HMAC with
// distinct labels, so neither MAC can stand in for the other or for another use
// of the same key. The random part keeps two nonces issued in the same
// millisecond apart (they have separate nc counters).
class DigestNonces {
public:
    enum class NonceState { valid, stale, forged };

    static constexpr std::size_t kMinKeySize = 32;
    static constexpr std::size_t kNonceSize = 48;  // characters

    // `secret_key`: at least kMinKeySize random bytes (shared by every instance
    // that must accept the others' nonces). `lifetime` > 0. `max_skew`: how far in
    // the future an issue time may lie (clock differences in a cluster).
    // Throws std::invalid_argument on a short key or non-positive lifetime: a
    // start-up configuration error, not a request-time condition.
    DigestNonces(std::string secret_key, std::chrono::seconds lifetime,
                 std::chrono::seconds max_skew = std::chrono::seconds{5});

    [[nodiscard]] std::string issue(std::chrono::system_clock::time_point now) const;

    // forged: not made with this key (bad base64url, wrong length, bad MAC), or
    // issued more than max_skew in the future. stale: genuine but older than the
    // lifetime (answer with stale=true so the client retries without prompting).
    [[nodiscard]] NonceState check(std::string_view nonce, std::chrono::system_clock::time_point now) const;

    // Deterministic per realm: base64url(HMAC-SHA-256(opaque_key, realm)[0..18)), 24 characters.
    [[nodiscard]] std::string opaque_for(std::string_view realm) const;

    // The issue time inside a nonce of this format, WITHOUT checking the MAC:
    // only meaningful for nonces check() called valid. nullopt if not the format.
    static std::optional<std::chrono::system_clock::time_point> issued_at(std::string_view nonce);

private:
    // Prepared once (crypto::HmacKey): issue() and check() run per Digest request,
    // from several threads at once (HmacKey::mac is const and thread-safe).
    crypto::HmacKey nonce_mac_;
    crypto::HmacKey opaque_mac_;
    std::chrono::milliseconds lifetime_;
    std::chrono::milliseconds max_skew_;
};

const char* to_string(DigestNonces::NonceState) noexcept;

// Replay defence (3.4, 5.5): per nonce, each nc value is accepted once.
class NonceCountStore {
public:
    virtual ~NonceCountStore();
    // True iff nc is strictly greater than every nc recorded for this nonce; then
    // records it. A false answer means: do not accept this request with this
    // nonce (answer 401 with a fresh nonce and stale=true). Call it only AFTER
    // the response has verified: otherwise anyone who saw a nonce could push its
    // count to ffffffff with a bogus request and lock its owner out.
    // An error: the count could not be checked (a shared store is down); the
    // request then fails closed (503).
    virtual Result<bool, std::string> advance(std::string_view nonce, std::uint32_t nc) = 0;
};

// In-memory, thread-safe, bounded NonceCountStore for DigestNonces' nonces.
//
// Eviction fails closed. When full, the entry with the OLDEST issue time is
// dropped and its issue time becomes the floor: from then on a nonce that is
// not in the store and was issued at or before the floor is refused (false),
// because it may be one that was evicted, and accepting it "from nc=1" again
// would let a recorded request be replayed. Nonces still in the store are
// unaffected, and so are new ones; a client holding a refused nonce is sent a
// fresh one with stale=true. Likewise, when full, a new nonce issued no later
// than every stored one is refused rather than displacing a newer one. A nonce
// that is not in DigestNonces' format is refused too (its issue time is
// unknown), and so is nc 0. Memory: about 200 bytes per entry.
class MemoryNonceCountStore final : public NonceCountStore {
public:
    explicit MemoryNonceCountStore(std::size_t capacity);  // a capacity of 0 is treated as 1

    Result<bool, std::string> advance(std::string_view nonce, std::uint32_t nc) override { return record(nonce, nc); }
    // advance() without the error case, which this store never has.
    bool record(std::string_view nonce, std::uint32_t nc);

    [[nodiscard]] std::size_t size() const;

private:
    using Millis = std::int64_t;
    struct Entry {
        std::uint32_t max_nc;
        Millis issued;
    };

    mutable std::mutex mu_;
    std::size_t capacity_;
    std::unordered_map<std::string, Entry> entries_;
    // (issue time, nonce) of every entry: the eviction order. Points at the keys
    // of entries_, which stay put when the map rehashes.
    std::set<std::pair<Millis, const std::string*>> by_age_;
    std::optional<Millis> floor_;  // newest issue time evicted so far
};

// ---- htdigest files (Apache `htdigest`: "user:realm:MD5-HA1" per line) ------

struct HtdigestEntry {
    std::string user;
    std::string realm;
    std::string ha1;  // 32 lower-case hex digits: digest_ha1(md5, user, realm, password)
    int line = 0;
};

struct HtdigestError {
    int line = 0;
    std::string message;  // names the line, never any part of an HA1 (password-equivalent)
};

// Strict: exactly three ':'-separated fields, non-empty user and realm without
// ':' or CTLs, 32 lower-case hex digits; a user appearing twice in one realm is
// an error. Blank lines and lines starting with '#' are skipped (Apache's
// reader skips them too), CRLF endings and a leading UTF-8 BOM are accepted.
Result<std::vector<HtdigestEntry>, HtdigestError> parse_htdigest(std::string_view text);

}  // namespace gk::schemes
