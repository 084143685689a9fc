// RFC 7616 sections 3.4.1-3.5: the algorithm table, H / KD, the request-digest,
// rspauth, userhash, and the challenge value. Every digest is lower-case hex,
// because the hex text itself is hashed again (KD), so case is part of the value.
#include <string>

#include "gatekeeper/schemes/digest.hpp"

namespace gk::schemes {
namespace {

struct AlgInfo {
    DigestAlgorithm alg;
    const char* token;
    DigestAlgorithm base;
    crypto::DigestAlg hash;
    std::size_t hex_len;
};

constexpr AlgInfo kAlgs[] = {
    {DigestAlgorithm::md5, "MD5", DigestAlgorithm::md5, crypto::DigestAlg::md5, 32},
    {DigestAlgorithm::md5_sess, "MD5-sess", DigestAlgorithm::md5, crypto::DigestAlg::md5, 32},
    {DigestAlgorithm::sha256, "SHA-256", DigestAlgorithm::sha256, crypto::DigestAlg::sha256, 64},
    {DigestAlgorithm::sha256_sess, "SHA-256-sess", DigestAlgorithm::sha256, crypto::DigestAlg::sha256, 64},
    {DigestAlgorithm::sha512_256, "SHA-512-256", DigestAlgorithm::sha512_256, crypto::DigestAlg::sha512_256, 64},
    {DigestAlgorithm::sha512_256_sess, "SHA-512-256-sess", DigestAlgorithm::sha512_256,
     crypto::DigestAlg::sha512_256, 64},
};

const AlgInfo& info(DigestAlgorithm a) noexcept {
    for (const auto& i : kAlgs) {
        if (i.alg == a) return i;
    }
    return kAlgs[0];  // unreachable for valid enumerators
}

std::string lower_hex(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) {
        if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return out;
}

// H(data) as lower-case hex.
std::string h(DigestAlgorithm a, std::string_view data) {
    return crypto::to_hex(crypto::digest(hash_of(a), data));
}

// Joins parts with ':' (every A1, A2 and KD input is such a list).
std::string join(std::initializer_list<std::string_view> parts) {
    std::string out;
    bool first = true;
    for (auto p : parts) {
        if (!first) out.push_back(':');
        first = false;
        out.append(p);
    }
    return out;
}

// H(A1) for the credentials: the stored HA1, or for -sess (3.4.2)
// H( H(user:realm:pw) ":" nonce ":" cnonce ), bound to this nonce and cnonce.
std::string session_ha1(const DigestCredentials& c, std::string_view ha1_hex) {
    const std::string ha1 = lower_hex(ha1_hex);
    if (!is_sess(c.algorithm)) return ha1;
    return h(c.algorithm, join({ha1, c.nonce, c.cnonce}));
}

// KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))  (3.4.1)
std::string request_digest(const DigestCredentials& c, std::string_view ha1_hex, std::string_view a2) {
    const std::string ha2 = h(c.algorithm, a2);
    return h(c.algorithm,
             join({session_ha1(c, ha1_hex), c.nonce, c.nc_text, c.cnonce, to_string(c.qop), ha2}));
}

// A2 (3.4.3 for the request, 3.5 with an empty method for rspauth).
std::string a2_of(const DigestCredentials& c, std::string_view method, std::string_view body_hash_hex) {
    if (c.qop == DigestCredentials::Qop::auth_int) return join({method, c.uri, lower_hex(body_hash_hex)});
    return join({method, c.uri});
}

}  // namespace

const char* to_string(DigestAlgorithm a) noexcept { return info(a).token; }

std::optional<DigestAlgorithm> parse_digest_algorithm(std::string_view token) noexcept {
    for (const auto& i : kAlgs) {
        if (httpauth::iequals(token, i.token)) return i.alg;
    }
    return std::nullopt;
}

bool is_sess(DigestAlgorithm a) noexcept { return info(a).base != a; }
DigestAlgorithm base_of(DigestAlgorithm a) noexcept { return info(a).base; }
crypto::DigestAlg hash_of(DigestAlgorithm a) noexcept { return info(a).hash; }
std::size_t hex_length(DigestAlgorithm a) noexcept { return info(a).hex_len; }

std::string digest_ha1(DigestAlgorithm alg, std::string_view user, std::string_view realm,
                       std::string_view password) {
    std::string a1 = join({user, realm, password});
    std::string out = h(alg, a1);
    // a1 holds the password: wipe it before the buffer is freed.
    volatile char* p = a1.data();
    for (std::size_t i = 0; i < a1.size(); ++i) p[i] = 0;
    return out;
}

std::string expected_response(const DigestCredentials& c, std::string_view ha1_hex, std::string_view method,
                              std::string_view body_hash_hex) {
    return request_digest(c, ha1_hex, a2_of(c, method, body_hash_hex));
}

bool response_matches(const DigestCredentials& c, std::string_view expected_hex) {
    // Lengths are public (fixed by the algorithm), contents are compared in constant time.
    return crypto::ct_equal(lower_hex(c.response), lower_hex(expected_hex));
}

std::string rspauth(const DigestCredentials& c, std::string_view ha1_hex, std::string_view body_hash_hex) {
    return request_digest(c, ha1_hex, a2_of(c, "", body_hash_hex));
}

std::string digest_userhash(DigestAlgorithm alg, std::string_view user, std::string_view realm) {
    return h(alg, join({user, realm}));
}

std::string body_hash(DigestAlgorithm alg, std::string_view body) { return h(alg, body); }

httpauth::Challenge digest_challenge(std::string_view realm, DigestAlgorithm alg, std::string_view nonce,
                                     std::string_view opaque, bool stale, bool qop_auth_int_offered,
                                     bool userhash) {
    // 3.3: realm, nonce, opaque and qop MUST be quoted-strings; algorithm and
    // stale MUST NOT be. charset and userhash are written as the RFC's examples
    // write them (unquoted tokens).
    httpauth::Challenge c;
    c.scheme = "Digest";
    c.params.push_back({"realm", std::string(realm), true});
    c.params.push_back({"qop", qop_auth_int_offered ? "auth, auth-int" : "auth", true});
    c.params.push_back({"algorithm", to_string(alg), false});
    c.params.push_back({"nonce", std::string(nonce), true});
    if (!opaque.empty()) c.params.push_back({"opaque", std::string(opaque), true});
    c.params.push_back({"charset", "UTF-8", false});
    if (userhash) c.params.push_back({"userhash", "true", false});
    if (stale) c.params.push_back({"stale", "true", false});
    return c;
}

}  // namespace gk::schemes
