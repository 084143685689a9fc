// Signing (for the CLI `token` command, the demo, tests and ACME requests): the
// header holds alg, kid, typ and ACME's nonce, url and jwk, serialized compactly; the payload octets are signed
// as given, never re-serialized.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "jose/jwk_internal.hpp"

namespace gk::jose {

Result<std::string, JoseError> sign_jws(crypto::SigAlg alg, const crypto::Key& key, std::string_view payload,
                                        const SignOptions& opts) {
    return sign_jws(alg, key, payload, opts, AcmeHeader{});
}

Result<std::string, JoseError> sign_jws(crypto::SigAlg alg, const crypto::Key& key, std::string_view payload,
                                        const SignOptions& opts, const AcmeHeader& acme) {
    // The same rule verifiers apply: no HS256 with a 16-byte secret, no ES256 on P-384.
    if (!detail::alg_fits(alg, key) || !key.has_private()) return fail(JoseError::bad_key);
    boost::json::object header;
    header["alg"] = crypto::jose_name(alg);
    if (!opts.kid.empty()) header["kid"] = opts.kid;
    if (!opts.typ.empty()) header["typ"] = opts.typ;
    if (!acme.nonce.empty()) header["nonce"] = acme.nonce;
    if (!acme.url.empty()) header["url"] = acme.url;
    if (acme.jwk) header["jwk"] = boost::json::parse(to_json(*acme.jwk, false));

    std::string out = httpauth::base64url_encode(boost::json::serialize(header));
    out += '.';
    out += httpauth::base64url_encode(payload);
    auto sig = crypto::sign(alg, key, out);
    if (!sig) return fail(JoseError::bad_key);
    out += '.';
    out += httpauth::base64url_encode(*sig);
    return out;
}

}  // namespace gk::jose
