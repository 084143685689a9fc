// verify_jwt: the whole check, cheap steps first (RFC 7519 section 7.2,
// RFC 8725, SECURITY.md section 2.2). Claims are read only after the signature
// verified.
#include "gatekeeper/jose/jwt.hpp"

#include <algorithm>
#include <cctype>

namespace gk::jose {
namespace {

std::string normalize_typ(std::string_view typ) {
    std::string s(typ);
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    // RFC 7515 section 4.1.9: "application/" may be omitted (RFC 9068 section 2.1: at+jwt).
    constexpr std::string_view prefix = "application/";
    if (s.size() > prefix.size() && std::string_view(s).substr(0, prefix.size()) == prefix)
        s.erase(0, prefix.size());
    return s;
}

}  // namespace

Result<Claims, JoseError> verify_jwt(std::string_view token, const JwkSet& keys, const JwtRules& rules,
                                     std::chrono::system_clock::time_point now) {
    auto jws = parse_jws(token, rules.max_bytes);  // size first, then syntax; refuses none, crit, nested
    if (!jws) return fail(jws.error());
    // RFC 8725 section 3.11: explicit typing keeps an ID token or another
    // kind of JWT from being accepted as an access token.
    if (!rules.typ.empty() &&
        (jws->header.typ.empty() || normalize_typ(jws->header.typ) != normalize_typ(rules.typ))) {
        return fail(JoseError::wrong_type);
    }
    if (auto v = verify_jws(*jws, keys, rules.algorithms); !v) return fail(v.error());
    auto claims = parse_claims(jws->payload);
    if (!claims) return fail(claims.error());
    if (auto ok = validate_claims(*claims, rules.claims, now); !ok) return fail(ok.error());
    return claims;
}

}  // namespace gk::jose
