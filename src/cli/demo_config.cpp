#include "cli/demo_config.hpp"

namespace gk::cli {

namespace {

// YAML single-quoted: only the quote itself needs doubling.
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// Same origin only: the SPA talks to /api/ and /.gatekeeper/ on this host.
constexpr const char* kSpaCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string spa_routes(const DemoSpa& spa) {
    if (spa.app_dir.empty()) return "";
    return std::string("  - name: spa-client                # the built web/client the SPA imports\n"
                       "    path: /spa/client/\n"
                       "    static: { root: ") + quoted(spa.client_dir) + ", csp: \"" + kSpaCsp + "\" }\n"
           "    require: public\n"
           "  - name: spa                       # the demo single-page app (PKCE, 30 s tokens)\n"
           "    path: /spa/\n"
           "    static: { root: " + quoted(spa.app_dir) + ", fallback: index.html, csp: \"" + kSpaCsp + "\" }\n"
           "    require: public\n";
}

}  // namespace

std::string demo_config_yaml(const DemoPorts& ports, const DemoSpa& spa) {
    const std::string http = std::to_string(ports.http);
    const std::string https = std::to_string(ports.https);
    const std::string echo = std::to_string(ports.echo);
    return "# Written by `gatekeeper demo` at every start; edit a copy, not this file.\n"
           "server:\n"
           "  threads: 2\n"
           "  state_dir: .                  # this folder: audit.log beside the database\n"
           "listeners:\n"
           "  - { address: 127.0.0.1, port: " + http + " }\n"
           "  - { address: 127.0.0.1, port: " + https + ", tls: { cert: cert.pem, key: key.pem } }\n"
           "upstreams:\n"
           "  echo:\n"
           "    url: http://127.0.0.1:" + echo + "\n"
           "    response_timeout: 30s\n"
           "digest:\n"
           "  algorithms: [SHA-256, MD5]   # MD5 only for old clients\n"
           "issuers:\n"
           "  demo:                          # tokens from `gatekeeper token mint --state <this folder>`\n"
           "    issuer: https://127.0.0.1:" + https + "/demo-idp   # stands for an outside IdP\n"
           "    jwks_file: jwks.json\n"
           "    audiences: [demo-api]\n"
           "    algorithms: [ES256]\n"
           "    typ: at+jwt\n"
           "users:\n"
           "  demo: { sqlite: gatekeeper.db }\n"
           "oauth:                           # gatekeeper's own tokens: /.gatekeeper/token, /.well-known/jwks.json\n"
           "  url: https://127.0.0.1:" + https + "\n"
           "  database: gatekeeper.db\n"
           "sessions:                        # the login page at /.gatekeeper/login\n"
           "  users: demo\n"
           "routes:\n"
           "  - name: admin\n"
           "    path: /admin/\n"
           "    upstream: echo\n"
           "    schemes: [digest, basic]\n"
           "    realm: Admin Panel\n"
           "    users: demo\n"
           "    require: { groups: [admins] }\n"
           "  - name: app\n"
           "    path: /app/\n"
           "    upstream: echo\n"
           "    schemes: [session, digest, basic, bearer, apikey]\n"
           "    realm: gatekeeper demo\n"
           "    users: demo\n"
           "    issuers: [demo, gatekeeper]\n"
           "    require: authenticated\n"
           "  - name: api\n"
           "    path: /api/\n"
           "    upstream: echo\n"
           "    schemes: [bearer, apikey]\n"
           "    api_key_header: X-API-Key\n"
           "    realm: api\n"
           "    users: demo\n"
           "    issuers: [demo, gatekeeper]\n"
           "    scopes:\n"
           "      - { methods: [GET, HEAD], scopes: [read] }\n"
           "      - { scopes: [write] }\n"
           "    require: authenticated\n"
           + spa_routes(spa) +
           "  - name: public\n"
           "    path: /\n"
           "    upstream: echo\n"
           "    require: public\n";
}

}  // namespace gk::cli
