#pragma once
// Client certificates (mutual TLS) as a scheme: the listener verified the
// certificate during or right after the handshake; this maps a verified one
// to an identity (subject or a SAN, groups from OUs and a mapping table) and
// answers an unverified one with 401 and why. Never counted as a failed
// password attempt: nothing about a certificate can be guessed.
#include <string>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/gate.hpp"

namespace gk::gate::detail {

// The challenge of the mtls scheme. No scheme is registered for TLS client
// authentication; RFC 9110 11.6.1 still wants one on every 401, and this one
// names what the client must do (present a certificate) and the realm.
httpauth::Challenge mtls_challenge(const Route& route);

// The identity a verified certificate stands for; an error text when the
// configured identity source is empty in this certificate (no SAN email, ...).
Result<Identity, std::string> certificate_identity(const MtlsSettings& settings, const ClientCertificate& cert);

// The decision for the certificate of `req` (which must carry one) on a
// route that accepts mtls: 401 when it did not verify, else the route's
// users/groups rule (403 when known but not allowed).
Decision check_mtls(const Policy& policy, const Route& route, const Request& req, const SchemeContext& ctx);

}  // namespace gk::gate::detail
