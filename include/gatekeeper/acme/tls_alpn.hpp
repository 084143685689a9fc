#pragma once
// TLS-ALPN-01 (RFC 8737): the CA opens TLS to the host's port 443 offering
// only the ALPN protocol "acme-tls/1" and expects a self-signed certificate
// for the identifier alone, carrying the critical acmeIdentifier extension
// whose value is the SHA-256 digest of the key authorization.
#include <chrono>
#include <string>
#include <string_view>

#include "gatekeeper/acme/messages.hpp"
#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::acme {

inline constexpr std::string_view kAcmeTlsAlpn = "acme-tls/1";           // section 6.2
inline constexpr const char* kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";  // id-pe-acmeIdentifier, section 6.1

// SHA-256 of the key authorization: the 32 bytes the extension carries.
std::string tls_alpn_digest(std::string_view key_authorization);

// The validation certificate for one pending challenge, and the fresh key it
// certifies (never the account key nor a certificate key).
struct TlsAlpnCertificate {
    std::string cert_der;
    crypto::Key key;
};

// Self-signed (P-256, SHA-256), SAN dNSName `identifier` only, the critical
// acmeIdentifier extension = DER OCTET STRING of tls_alpn_digest(); valid from
// an hour before `now` for a week (the CA looks within minutes).
Result<TlsAlpnCertificate, AcmeError> make_tls_alpn_certificate(std::string_view identifier,
                                                                std::string_view key_authorization,
                                                                std::chrono::system_clock::time_point now);

}  // namespace gk::acme
