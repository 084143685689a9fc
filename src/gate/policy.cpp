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

const char* to_string(SchemeKind k) noexcept {
    switch (k) {
        case SchemeKind::basic: return "basic";
        case SchemeKind::digest: return "digest";
        case SchemeKind::bearer: return "bearer";
        case SchemeKind::apikey: return "apikey";
        case SchemeKind::session: return "session";
    }
    return "unknown";
}

}  // namespace gk::gate
