// Signed ACME requests and key authorizations over the JOSE core.
#include "gatekeeper/acme/request.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "gatekeeper/jose/jwk.hpp"
#include "gatekeeper/jose/jws.hpp"

namespace gk::acme {

Result<std::string, AcmeError> signed_request(const crypto::Key& account_key, std::string_view account_url,
                                              std::string_view nonce, std::string_view url, std::string_view payload) {
    jose::Jwk jwk;
    jwk.key = account_key;
    jose::SignOptions opts;
    opts.kid = std::string(account_url);
    jose::AcmeHeader acme;
    acme.nonce = std::string(nonce);
    acme.url = std::string(url);
    if (account_url.empty()) acme.jwk = &jwk;
    auto compact = jose::sign_jws(crypto::SigAlg::es256, account_key, payload, opts, acme);
    if (!compact) return fail(AcmeError{"protocol", "the account key cannot sign ES256", 0, {}});
    // Compact "h.p.s" -> flattened JSON (section 6.2 forbids the compact form).
    const std::string& c = *compact;
    const auto a = c.find('.');
    const auto b = c.find('.', a + 1);
    boost::json::object body;
    body["protected"] = c.substr(0, a);
    body["payload"] = c.substr(a + 1, b - a - 1);
    body["signature"] = c.substr(b + 1);
    return boost::json::serialize(body);
}

std::string key_authorization(std::string_view token, const crypto::Key& account_key) {
    jose::Jwk jwk;
    jwk.key = account_key;
    return std::string(token) + "." + jose::thumbprint(jwk);
}

}  // namespace gk::acme
