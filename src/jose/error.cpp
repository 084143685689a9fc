// Texts a client may see (RFC 6750 error_description): short, fixed, ASCII,
// no quotes or backslashes, and never a detail taken from the token.
#include "gatekeeper/jose/error.hpp"

namespace gk::jose {

const char* to_string(JoseError e) noexcept {
    switch (e) {
        case JoseError::too_large:
            return "token too large";
        case JoseError::malformed:
            return "token malformed";
        case JoseError::bad_base64:
            return "token encoding invalid";
        case JoseError::bad_json:
            return "token JSON invalid";
        case JoseError::duplicate_member:
            return "token has duplicate members";
        case JoseError::bad_header:
            return "token header invalid";
        case JoseError::alg_none:
            return "unsigned token refused";
        case JoseError::alg_unsupported:
            return "token algorithm not supported";
        case JoseError::alg_not_allowed:
            return "token algorithm not allowed";
        case JoseError::crit_unsupported:
            return "token critical extension not supported";
        case JoseError::nested_jwt:
            return "nested token refused";
        case JoseError::bad_key:
            return "unusable key";
        case JoseError::no_key:
            return "unknown signing key";
        case JoseError::bad_signature:
            return "signature does not verify";
        case JoseError::bad_claim:
            return "token claim invalid";
        case JoseError::missing_claim:
            return "token claim missing";
        case JoseError::expired:
            return "token expired";
        case JoseError::not_yet_valid:
            return "token not yet valid";
        case JoseError::issued_in_future:
            return "token issued in the future";
        case JoseError::too_old:
            return "token too old";
        case JoseError::wrong_issuer:
            return "token issuer not trusted";
        case JoseError::wrong_audience:
            return "token audience not accepted";
        case JoseError::wrong_type:
            return "token type not accepted";
    }
    return "token invalid";
}

}  // namespace gk::jose
