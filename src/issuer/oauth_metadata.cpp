// Authorization server metadata (RFC 8414 section 2), served at
// /.well-known/oauth-authorization-server.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <initializer_list>

#include "issuer/oauth_internal.hpp"

namespace gk::issuer {
namespace {

boost::json::array strings(std::initializer_list<const char*> items) {
    boost::json::array a;
    for (const char* s : items) a.emplace_back(s);
    return a;
}

}  // namespace

std::string authorization_server_metadata(std::string_view base_url, const Settings& settings,
                                          const std::vector<std::string>& scopes_supported) {
    while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
    const std::string base(base_url);
    boost::json::object o;
    o["issuer"] = settings.issuer;
    o["authorization_endpoint"] = base + "/.gatekeeper/authorize";
    o["token_endpoint"] = base + "/.gatekeeper/token";
    o["jwks_uri"] = base + "/.well-known/jwks.json";
    o["revocation_endpoint"] = base + "/.gatekeeper/revoke";
    o["introspection_endpoint"] = base + "/.gatekeeper/introspect";
    o["response_types_supported"] = strings({"code"});
    o["response_modes_supported"] = strings({"query"});
    o["grant_types_supported"] = strings({"authorization_code", "refresh_token", "client_credentials"});
    o["code_challenge_methods_supported"] = strings({"S256"});
    o["token_endpoint_auth_methods_supported"] =
        strings({"client_secret_basic", "client_secret_post", "none"});
    o["revocation_endpoint_auth_methods_supported"] =
        strings({"client_secret_basic", "client_secret_post", "none"});
    o["introspection_endpoint_auth_methods_supported"] =
        strings({"client_secret_basic", "client_secret_post"});
    if (!scopes_supported.empty()) {
        boost::json::array a;
        for (const auto& s : scopes_supported) a.emplace_back(s);
        o["scopes_supported"] = std::move(a);
    }
    o["authorization_response_iss_parameter_supported"] = true;
    return boost::json::serialize(o);
}

}  // namespace gk::issuer
