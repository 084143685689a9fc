#pragma once
// Shared fixtures for the jose/ tests (Envoy's test_common.h): keys generated
// once per process, a fixed clock, and helpers that assemble tokens byte by
// byte, so an attack token says exactly what it contains.
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/claims.hpp"
#include "gatekeeper/jose/jwk.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "gatekeeper/jose/jwt.hpp"

namespace gk::jose {
// gtest prints the name, not the bytes, of an error.
inline void PrintTo(JoseError e, std::ostream* os) { *os << to_string(e); }
}  // namespace gk::jose

namespace gk::jose::test {

namespace json = boost::json;
using crypto::SigAlg;

// 2023-11-14T22:13:20Z. Never the real clock (STYLE.md habit 2).
inline constexpr std::int64_t kNowSeconds = 1'700'000'000;
inline const std::chrono::system_clock::time_point kNow{std::chrono::seconds(kNowSeconds)};

// A string literal with embedded NULs, its length taken from the array.
template <std::size_t N>
std::string bytes(const char (&literal)[N]) {
    return std::string(literal, N - 1);
}

inline std::string b64(std::string_view bytes) { return httpauth::base64url_encode(bytes); }
inline std::string unb64(std::string_view text) { return httpauth::base64url_decode(text).value(); }

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A file under ../shared/vectors/ as JSON.
inline json::value load_vectors(const std::string& relative) {
    return json::parse(read_file(std::string(GK_VECTORS_DIR) + "/" + relative));
}

// header.payload.signature from raw JSON texts and signature octets.
inline std::string assemble(std::string_view header_json, std::string_view payload, std::string_view sig) {
    return b64(header_json) + "." + b64(payload) + "." + b64(sig);
}

// Signs exactly the given header bytes (unlike sign_jws, which writes its own header).
inline std::string sign_raw(SigAlg alg, const crypto::Key& key, std::string_view header_json,
                            std::string_view payload) {
    const std::string input = b64(header_json) + "." + b64(payload);
    return input + "." + b64(crypto::sign(alg, key, input).value());
}

// HMAC-SHA256 with arbitrary key bytes (the attacker's view: any bytes can be a "secret").
inline std::string hs256_with_bytes(std::string_view header_json, std::string_view payload,
                                    std::string_view key_bytes) {
    const std::string input = b64(header_json) + "." + b64(payload);
    return input + "." + b64(crypto::hmac(crypto::DigestAlg::sha256, key_bytes, input));
}

inline Jwk make_jwk(crypto::Key key, std::string kid = {}, std::optional<SigAlg> alg = std::nullopt) {
    Jwk j;
    j.key = std::move(key);
    j.kid = std::move(kid);
    j.alg = alg;
    return j;
}

// The public half, the way a verifier receives it: serialized and parsed back.
inline Jwk public_of(const Jwk& k) {
    if (k.key.type() == crypto::KeyType::oct) return k;
    return parse_jwk(to_json(k, false)).value();
}

// Keys generated once per test binary (RSA generation is slow).
struct Keys {
    crypto::Key rsa = crypto::Key::generate_rsa(2048);
    crypto::Key rsa2 = crypto::Key::generate_rsa(2048);
    crypto::Key p256 = crypto::Key::generate_ec(crypto::Curve::p256);
    crypto::Key p384 = crypto::Key::generate_ec(crypto::Curve::p384);
    crypto::Key p521 = crypto::Key::generate_ec(crypto::Curve::p521);
    crypto::Key ed = crypto::Key::generate_ed25519();
    crypto::Key hs32 = crypto::Key::generate_hmac(32);
    crypto::Key hs48 = crypto::Key::generate_hmac(48);
    crypto::Key hs64 = crypto::Key::generate_hmac(64);
    crypto::Key attacker_rsa = crypto::Key::generate_rsa(2048);
    crypto::Key attacker_p256 = crypto::Key::generate_ec(crypto::Curve::p256);
};
inline const Keys& keys() {
    static const Keys k;
    return k;
}

// A private key able to sign `alg`, from keys().
inline const crypto::Key& signer_for(SigAlg alg) {
    const Keys& k = keys();
    switch (alg) {
        case SigAlg::hs256:
            return k.hs32;
        case SigAlg::hs384:
            return k.hs48;
        case SigAlg::hs512:
            return k.hs64;
        case SigAlg::es256:
            return k.p256;
        case SigAlg::es384:
            return k.p384;
        case SigAlg::es512:
            return k.p521;
        case SigAlg::eddsa:
            return k.ed;
        default:
            return k.rsa;
    }
}

inline constexpr SigAlg kAllAlgs[] = {
    SigAlg::hs256, SigAlg::hs384, SigAlg::hs512, SigAlg::rs256, SigAlg::rs384, SigAlg::rs512, SigAlg::ps256,
    SigAlg::ps384, SigAlg::ps512, SigAlg::es256, SigAlg::es384, SigAlg::es512, SigAlg::eddsa};

// Claims valid at kNow for issuer "https://issuer.example" and audience "api".
inline json::object good_claims() {
    return json::object{{"iss", "https://issuer.example"},
                        {"sub", "alice"},
                        {"aud", "api"},
                        {"iat", kNowSeconds - 10},
                        {"exp", kNowSeconds + 600}};
}

inline JwtRules default_rules() {
    JwtRules r;
    r.claims.issuer = "https://issuer.example";
    r.claims.audiences = {"api"};
    return r;
}

}  // namespace gk::jose::test
