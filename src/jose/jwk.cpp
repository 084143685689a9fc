// One JWK (RFC 7517 section 4, RFC 7518 section 6, RFC 8037 section 2) into a
// crypto::Key plus the members that restrict its use. Anything gatekeeper
// cannot use safely is bad_key: a wrong member type, non-canonical base64url,
// an unknown kty/crv, or an `alg` it does not implement (such a key must never
// verify a signature, whatever the token says).
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/httpauth/base64.hpp"
#include "jose/jwk_internal.hpp"
#include "jose/strict_json.hpp"

namespace gk::jose {
namespace detail {
namespace {

namespace json = boost::json;
using OptString = std::optional<std::string>;

// Absent -> nullopt; present but not a string -> bad_key.
Result<OptString, JoseError> string_member(const json::object& o, std::string_view name) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr) return OptString{};
    if (!v->is_string()) return fail(JoseError::bad_key);
    return OptString{std::string(v->get_string())};
}

// A base64url member (RFC 7518 section 2 Base64urlUInt or octets), decoded.
Result<OptString, JoseError> b64_member(const json::object& o, std::string_view name) {
    auto s = string_member(o, name);
    if (!s) return fail(s.error());
    if (!*s) return OptString{};
    auto bytes = httpauth::base64url_decode(**s);
    if (!bytes) return fail(JoseError::bad_key);
    return OptString{std::move(*bytes)};
}

Result<std::string, JoseError> required_b64(const json::object& o, std::string_view name) {
    auto m = b64_member(o, name);
    if (!m) return fail(m.error());
    if (!*m || (*m)->empty()) return fail(JoseError::bad_key);
    return std::move(**m);
}

Result<crypto::Key, JoseError> rsa_key(const json::object& o) {
    if (o.contains("oth")) return fail(JoseError::bad_key);  // multi-prime keys: not supported
    crypto::RsaComponents c;
    // The private members decoded into `c` are wiped however this returns.
    struct Wipe {
        crypto::RsaComponents& c;
        ~Wipe() {
            for (std::string* s : {&c.d, &c.p, &c.q, &c.dp, &c.dq, &c.qi}) const Secret gone(std::move(*s));
        }
    } wipe{c};
    auto n = required_b64(o, "n");
    auto e = required_b64(o, "e");
    if (!n || !e) return fail(JoseError::bad_key);
    c.n = std::move(*n);
    c.e = std::move(*e);
    // A private key needs every CRT member (RFC 7518 section 6.3.2 lets a producer
    // omit them; OpenSSL and gatekeeper do not accept d alone), and CRT members
    // without d are an error.
    const char* names[] = {"d", "p", "q", "dp", "dq", "qi"};
    std::string* slots[] = {&c.d, &c.p, &c.q, &c.dp, &c.dq, &c.qi};
    std::size_t present = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        auto m = b64_member(o, names[i]);
        if (!m) return fail(m.error());
        if (*m) {
            if ((*m)->empty()) return fail(JoseError::bad_key);
            *slots[i] = std::move(**m);
            ++present;
        }
    }
    if (present != 0 && present != 6) return fail(JoseError::bad_key);
    auto key = crypto::Key::rsa(c);
    if (!key) return fail(JoseError::bad_key);
    return std::move(*key);
}

std::optional<crypto::Curve> curve_named(std::string_view crv) {
    for (auto c : {crypto::Curve::p256, crypto::Curve::p384, crypto::Curve::p521}) {
        if (crv == crypto::to_string(c)) return c;
    }
    return std::nullopt;
}

Result<crypto::Key, JoseError> ec_key(const json::object& o) {
    auto crv = string_member(o, "crv");
    if (!crv || !*crv) return fail(JoseError::bad_key);
    const auto curve = curve_named(**crv);
    if (!curve) return fail(JoseError::bad_key);  // secp256k1, brainpool, ...: not supported
    auto x = required_b64(o, "x");
    auto y = required_b64(o, "y");
    auto d = b64_member(o, "d");
    if (!x || !y || !d) return fail(JoseError::bad_key);
    const Secret secret(*d ? std::move(**d) : std::string());
    if (*d && secret.empty()) return fail(JoseError::bad_key);
    auto key = crypto::Key::ec(*curve, *x, *y, secret);  // exact sizes and the curve equation checked there
    if (!key) return fail(JoseError::bad_key);
    return std::move(*key);
}

Result<crypto::Key, JoseError> okp_key(const json::object& o) {
    auto crv = string_member(o, "crv");
    if (!crv || !*crv || **crv != "Ed25519") return fail(JoseError::bad_key);  // X25519/Ed448: no
    auto x = required_b64(o, "x");
    auto d = b64_member(o, "d");
    if (!x || !d) return fail(JoseError::bad_key);
    const Secret secret(*d ? std::move(**d) : std::string());
    if (*d && secret.empty()) return fail(JoseError::bad_key);
    auto key = crypto::Key::ed25519(*x, secret);
    if (!key) return fail(JoseError::bad_key);
    return std::move(*key);
}

Result<crypto::Key, JoseError> oct_key(const json::object& o) {
    auto k = b64_member(o, "k");
    if (!k || !*k) return fail(JoseError::bad_key);
    Secret secret(std::move(**k));
    // Under 32 bytes serves no HS algorithm (RFC 7518 section 3.2); alg_fits()
    // checks 48/64 bytes for HS384/HS512.
    if (secret.size() < min_hmac_bytes(crypto::SigAlg::hs256)) return fail(JoseError::bad_key);
    return crypto::Key::hmac_secret(std::move(secret));
}

Result<Ok, JoseError> key_ops_member(const json::object& o, std::vector<std::string>& out) {
    const json::value* v = o.if_contains("key_ops");
    if (v == nullptr) return Ok{};
    if (!v->is_array() || v->get_array().empty()) return fail(JoseError::bad_key);
    for (const auto& op : v->get_array()) {
        if (!op.is_string()) return fail(JoseError::bad_key);
        std::string s(op.get_string());
        // RFC 7517 section 4.3: duplicate values MUST NOT be present.
        if (std::find(out.begin(), out.end(), s) != out.end()) return fail(JoseError::bad_key);
        out.push_back(std::move(s));
    }
    return Ok{};
}

}  // namespace

std::size_t min_hmac_bytes(crypto::SigAlg alg) noexcept {
    switch (alg) {
        case crypto::SigAlg::hs384:
            return 48;
        case crypto::SigAlg::hs512:
            return 64;
        default:
            return 32;
    }
}

bool alg_fits(crypto::SigAlg alg, const crypto::Key& key) noexcept {
    if (!crypto::key_fits(alg, key)) return false;
    return key.type() != crypto::KeyType::oct || key.secret().size() >= min_hmac_bytes(alg);
}

bool usable_for_verify(const Jwk& jwk) noexcept {
    if (!jwk.use.empty() && jwk.use != "sig") return false;
    return jwk.key_ops.empty() ||
           std::find(jwk.key_ops.begin(), jwk.key_ops.end(), "verify") != jwk.key_ops.end();
}

Result<Jwk, JoseError> jwk_from_object(const json::object& o) {
    auto kty = string_member(o, "kty");
    if (!kty || !*kty) return fail(JoseError::bad_key);
    Jwk jwk;
    auto kid = string_member(o, "kid");
    auto use = string_member(o, "use");
    auto alg = string_member(o, "alg");
    if (!kid || !use || !alg) return fail(JoseError::bad_key);
    if (*kid) jwk.kid = std::move(**kid);
    if (*use) jwk.use = std::move(**use);
    if (auto ops = key_ops_member(o, jwk.key_ops); !ops) return fail(ops.error());
    if (*alg) {
        // "RSA-OAEP", "ES521", "A256GCM", "none": a key gatekeeper must never verify with.
        jwk.alg = crypto::sig_alg_from_jose_name(**alg);
        if (!jwk.alg) return fail(JoseError::bad_key);
    }

    Result<crypto::Key, JoseError> key = fail(JoseError::bad_key);
    if (**kty == "RSA") {
        key = rsa_key(o);
    } else if (**kty == "EC") {
        key = ec_key(o);
    } else if (**kty == "OKP") {
        key = okp_key(o);
    } else if (**kty == "oct") {
        key = oct_key(o);
    }
    if (!key) return fail(key.error());
    jwk.key = std::move(*key);
    // A key bound to an algorithm must be able to serve it (ES256 on P-384,
    // HS512 with a 32-byte secret, RS256 on an EC key: all unusable).
    if (jwk.alg && !alg_fits(*jwk.alg, jwk.key)) return fail(JoseError::bad_key);
    return jwk;
}

}  // namespace detail

bool Jwk::can_verify(crypto::SigAlg a) const noexcept {
    if (alg && *alg != a) return false;
    return detail::usable_for_verify(*this) && detail::alg_fits(a, key);
}

Result<Jwk, JoseError> parse_jwk(std::string_view json) {
    auto o = detail::parse_object(json);
    if (!o) return fail(o.error());
    return detail::jwk_from_object(*o);
}

}  // namespace gk::jose
