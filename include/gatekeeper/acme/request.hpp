#pragma once
// Signed ACME requests (RFC 8555 section 6.2): a flattened JWS JSON object
// whose protected header carries alg, nonce, url and either the account key
// (jwk: newAccount) or the account URL (kid: everything after). The account
// key is ES256 (P-256); the JOSE core signs.
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/acme/messages.hpp"

namespace gk::acme {

// `account_url` empty: the key goes in as `jwk`. `payload` empty: POST-as-GET
// (section 6.3), whose payload is the empty string.
Result<std::string, AcmeError> signed_request(const crypto::Key& account_key, std::string_view account_url,
                                              std::string_view nonce, std::string_view url, std::string_view payload);

// token "." base64url(SHA-256 thumbprint of the account key) (section 8.1).
std::string key_authorization(std::string_view token, const crypto::Key& account_key);

// A PKCS#10 request (DER) for `hosts` (SANs; the first is also the CN),
// signed with `cert_key` (P-256, SHA-256).
Result<std::string, AcmeError> make_csr(const crypto::Key& cert_key, const std::vector<std::string>& hosts);

}  // namespace gk::acme
