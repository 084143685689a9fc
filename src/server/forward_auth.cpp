#include "server/forward_auth.hpp"

#include "gatekeeper/gate/path.hpp"
#include "server/request_builder.hpp"

namespace gk::server {
namespace {

Result<gate::Request, std::string> with_target(gate::Request r, std::string_view target) {
    std::string_view t = target;
    std::string authority;
    if (!t.empty() && t.front() != '/') {
        auto abs = gate::split_absolute_form(t);
        if (!abs) return fail(std::string("invalid original URL: ") + gate::to_string(abs.error()));
        authority = abs->authority;
        auto n = gate::normalize_target(abs->path_and_query);
        if (!n) return fail(std::string("invalid original URL: ") + gate::to_string(n.error()));
        r.path = std::move(n->path);
        r.query = std::move(n->query);
        r.secure = abs->scheme == "https";
        r.target = std::string(abs->path_and_query);  // what the client put in Digest's uri
    } else {
        auto n = gate::normalize_target(t);
        if (!n) return fail(std::string("invalid original URI: ") + gate::to_string(n.error()));
        r.target = std::string(t);
        r.path = std::move(n->path);
        r.query = std::move(n->query);
    }
    if (!authority.empty()) r.host = host_without_port(authority);
    return r;
}

}  // namespace

Result<gate::Request, std::string> original_request(const gate::Request& inbound, bool trusted) {
    gate::Request r = inbound;
    // The certificate of this connection is the proxy's, not its client's.
    r.client_cert = nullptr;
    // Envoy ext_authz (HTTP): path_prefix + original path.
    std::string_view suffix = std::string_view(inbound.path).substr(kForwardAuthPath.size());
    std::string envoy_target = suffix.empty() ? std::string("/") : std::string(suffix);
    if (!inbound.query.empty()) envoy_target += "?" + inbound.query;

    if (!trusted) return with_target(std::move(r), envoy_target);

    if (auto m = inbound.get("X-Original-Method")) r.method = std::string(*m);
    else if (auto fm = inbound.get("X-Forwarded-Method")) r.method = std::string(*fm);

    if (auto fh = inbound.get("X-Forwarded-Host")) r.host = host_without_port(*fh);
    if (auto fp = inbound.get("X-Forwarded-Proto")) r.secure = gate::iequals(*fp, "https");

    if (auto url = inbound.get("X-Original-URL")) return with_target(std::move(r), *url);
    if (auto uri = inbound.get("X-Original-URI")) return with_target(std::move(r), *uri);
    if (auto fu = inbound.get("X-Forwarded-Uri")) return with_target(std::move(r), *fu);
    return with_target(std::move(r), envoy_target);
}

}  // namespace gk::server
