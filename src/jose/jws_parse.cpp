// JWS compact serialization, parsed in the order of SECURITY.md section 2.2:
// size, three parts, strict base64url, strict JSON header, then the header
// parameters. Nothing here trusts the header to pick a key or fetch anything.
#include <algorithm>
#include <cctype>
#include <string>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "jose/strict_json.hpp"

namespace gk::jose {
namespace {

namespace json = boost::json;

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// An optional string parameter: absent leaves `out` empty, another type is bad_header.
bool string_param(const json::object& h, std::string_view name, std::string& out) {
    const json::value* v = h.if_contains(name);
    if (v == nullptr) return true;
    if (!v->is_string()) return false;
    out = std::string(v->get_string());
    return true;
}

// RFC 7515 section 4.1.10 / RFC 7519 section 5.2: "JWT", and the full media
// type "application/jwt", in any case.
bool is_nested_jwt(std::string_view cty) noexcept {
    constexpr std::string_view prefix = "application/";
    if (cty.size() > prefix.size() && iequals(cty.substr(0, prefix.size()), prefix))
        cty.remove_prefix(prefix.size());
    return iequals(cty, "JWT");
}

}  // namespace

Result<Jws, JoseError> parse_jws(std::string_view compact, std::size_t max_bytes) {
    if (compact.size() > max_bytes) return fail(JoseError::too_large);

    // Exactly two dots: one is a JWS without signature, four is a JWE (RFC 7516
    // section 7.1), anything else is not compact serialization.
    const std::size_t dot1 = compact.find('.');
    if (dot1 == std::string_view::npos) return fail(JoseError::malformed);
    const std::size_t dot2 = compact.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
        return fail(JoseError::malformed);
    }
    const std::string_view h64 = compact.substr(0, dot1);
    const std::string_view p64 = compact.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string_view s64 = compact.substr(dot2 + 1);
    // The payload may be empty (RFC 7515 section 7.1); the header and the
    // signature may not (an empty signature is `none` in disguise).
    if (h64.empty() || s64.empty()) return fail(JoseError::malformed);

    auto header = httpauth::base64url_decode(h64);
    auto payload = httpauth::base64url_decode(p64);
    auto signature = httpauth::base64url_decode(s64);
    if (!header || !payload || !signature) return fail(JoseError::bad_base64);

    auto h = detail::parse_object(*header);
    if (!h) return fail(h.error());

    Jws jws;
    const json::value* alg = h->if_contains("alg");
    if (alg == nullptr || !alg->is_string()) return fail(JoseError::bad_header);
    // Compared after JSON unescaping ("\u006eone" is "none"), in any case.
    if (iequals(alg->get_string(), "none")) return fail(JoseError::alg_none);
    const auto a = crypto::sig_alg_from_jose_name(alg->get_string());
    if (!a) return fail(JoseError::alg_unsupported);
    jws.header.alg = *a;

    if (!string_param(*h, "kid", jws.header.kid) || !string_param(*h, "typ", jws.header.typ) ||
        !string_param(*h, "cty", jws.header.cty)) {
        return fail(JoseError::bad_header);
    }
    // RFC 7515 section 4.1.11: a recipient that does not understand every
    // listed extension must reject; gatekeeper understands none (not even
    // RFC 7797 "b64"), and a malformed crit (not a non-empty array of strings,
    // naming a registered parameter or an absent one) is rejected the same way.
    if (h->contains("crit")) return fail(JoseError::crit_unsupported);
    if (is_nested_jwt(jws.header.cty)) return fail(JoseError::nested_jwt);
    // jku, x5u, jwk, x5c, x5t: never read. Keys come only from the caller's set.

    jws.header_json = std::move(*header);
    jws.payload = std::move(*payload);
    jws.signature = std::move(*signature);
    jws.signing_input = std::string(compact.substr(0, dot2));
    return jws;
}

}  // namespace gk::jose
