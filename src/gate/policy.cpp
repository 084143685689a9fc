#include "gatekeeper/gate/policy.hpp"

namespace gk::gate {

const Upstream* Policy::upstream(std::string_view name) const {
    for (const auto& u : upstreams)
        if (u.name == name) return &u;
    return nullptr;
}

const UserSource* Policy::user_source(std::string_view name) const {
    for (const auto& s : user_sources)
        if (s.name == name) return &s;
    return nullptr;
}

const BearerIssuer* Policy::issuer(std::string_view name) const {
    for (const auto& i : issuers)
        if (i.name == name) return &i;
    return nullptr;
}

const char* to_string(ClientCertSettings::Mode m) noexcept {
    switch (m) {
        case ClientCertSettings::Mode::off: return "off";
        case ClientCertSettings::Mode::request: return "request";
        case ClientCertSettings::Mode::require: return "require";
    }
    return "off";
}

const char* to_string(MtlsSettings::IdentityFrom f) noexcept {
    switch (f) {
        case MtlsSettings::IdentityFrom::subject_cn: return "subject_cn";
        case MtlsSettings::IdentityFrom::subject: return "subject";
        case MtlsSettings::IdentityFrom::san_email: return "san_email";
        case MtlsSettings::IdentityFrom::san_dns: return "san_dns";
        case MtlsSettings::IdentityFrom::san_uri: return "san_uri";
    }
    return "subject_cn";
}

const char* to_string(SchemeKind k) noexcept {
    switch (k) {
        case SchemeKind::basic: return "basic";
        case SchemeKind::digest: return "digest";
        case SchemeKind::bearer: return "bearer";
        case SchemeKind::apikey: return "apikey";
        case SchemeKind::session: return "session";
        case SchemeKind::mtls: return "mtls";
    }
    return "unknown";
}

}  // namespace gk::gate
