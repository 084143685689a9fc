#include "gate/mtls_check.hpp"

#include <algorithm>

#include "gate/refusal.hpp"

namespace gk::gate::detail {
namespace {

// Names go to the upstream in headers and into logs: no control characters
// (a CA may sign what it is asked to; a CR/LF must never split a header).
bool printable(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
    for (const auto& g : from)
        if (std::find(to.begin(), to.end(), g) == to.end()) to.push_back(g);
}

// What the client reads in the 401 body: enough to fix its set-up, and no
// more than the TLS handshake already told it.
std::string refusal_detail(const ClientCertificate& cert) {
    switch (cert.problem) {
        case CertProblem::untrusted: return "The client certificate was refused: it is not issued by a trusted CA.";
        case CertProblem::revoked: return "The client certificate was refused: it has been revoked.";
        case CertProblem::expired: return "The client certificate was refused: it has expired.";
        case CertProblem::not_yet_valid: return "The client certificate was refused: it is not valid yet.";
        case CertProblem::none:
        case CertProblem::invalid: break;
    }
    return "The client certificate was refused: it could not be verified.";
}

Decision refused(const Policy& policy, const Route& route, const SchemeContext& ctx, std::string reason,
                 std::string detail) {
    return refusal(route, "mtls", std::move(reason), std::move(detail), challenges_for(route, policy, ctx));
}

}  // namespace

httpauth::Challenge mtls_challenge(const Route& route) {
    return httpauth::Challenge{"ClientCertificate", std::nullopt, {httpauth::AuthParam{"realm", route.realm, true}}};
}

Result<Identity, std::string> certificate_identity(const MtlsSettings& settings, const ClientCertificate& cert) {
    using From = MtlsSettings::IdentityFrom;
    Identity id;
    id.scheme = "mtls";
    auto first = [](const std::vector<std::string>& v) { return v.empty() ? std::string() : v.front(); };
    switch (settings.identity) {
        case From::subject_cn: id.user = cert.subject_cn; break;
        case From::subject: id.user = cert.subject; break;
        case From::san_email: id.user = first(cert.san_email); break;
        case From::san_dns: id.user = first(cert.san_dns); break;
        case From::san_uri: id.user = first(cert.san_uri); break;
    }
    if (id.user.empty())
        return fail("the certificate has no " + std::string(to_string(settings.identity)) + " to name the user");
    id.email = first(cert.san_email);
    if (settings.groups_from_ou) add_unique(id.groups, cert.ou);
    // The full DN is the precise key; the CN is the convenient one.
    if (auto it = settings.group_map.find(cert.subject); it != settings.group_map.end()) add_unique(id.groups, it->second);
    if (!cert.subject_cn.empty())
        if (auto it = settings.group_map.find(cert.subject_cn); it != settings.group_map.end())
            add_unique(id.groups, it->second);
    bool clean = printable(id.user) && printable(id.email);
    for (const auto& g : id.groups) clean = clean && printable(g);
    if (!clean) return fail(std::string("the certificate's names contain control characters"));
    return id;
}

Decision check_mtls(const Policy& policy, const Route& route, const Request& req, const SchemeContext& ctx) {
    if (!req.client_cert)
        return refused(policy, route, ctx, "no client certificate",
                       "This resource requires a client certificate; none was presented.");
    const ClientCertificate& cert = *req.client_cert;
    if (!cert.verified)
        return refused(policy, route, ctx,
                       "client certificate '" + cert.subject + "' (serial " + cert.serial + ") refused: " + cert.error,
                       refusal_detail(cert));
    auto id = certificate_identity(policy.mtls, cert);
    if (!id)
        return refused(policy, route, ctx, "client certificate '" + cert.subject + "': " + id.error(),
                       "The client certificate does not name a user.");
    return authorize(route, std::move(id).value());
}

}  // namespace gk::gate::detail
