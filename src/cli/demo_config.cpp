#include "cli/demo_config.hpp"

namespace gk::cli {

std::string demo_config_yaml(const DemoPorts& ports) {
    const std::string http = std::to_string(ports.http);
    const std::string https = std::to_string(ports.https);
    const std::string echo = std::to_string(ports.echo);
    return "# Written by `gatekeeper demo` at every start; edit a copy, not this file.\n"
           "server:\n"
           "  threads: 2\n"
           "listeners:\n"
           "  - { address: 127.0.0.1, port: " + http + " }\n"
           "  - { address: 127.0.0.1, port: " + https + ", tls: { cert: cert.pem, key: key.pem } }\n"
           "upstreams:\n"
           "  echo:\n"
           "    url: http://127.0.0.1:" + echo + "\n"
           "    response_timeout: 30s\n"
           "digest:\n"
           "  algorithms: [SHA-256, MD5]   # MD5 only for old clients\n"
           "users:\n"
           "  demo: { sqlite: gatekeeper.db }\n"
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
           "    schemes: [digest, basic]\n"
           "    realm: gatekeeper demo\n"
           "    users: demo\n"
           "    require: authenticated\n"
           "  # Bearer and API keys are not in this build yet; /api/ takes Basic until they land.\n"
           "  - name: api\n"
           "    path: /api/\n"
           "    upstream: echo\n"
           "    schemes: [basic]\n"
           "    realm: api\n"
           "    users: demo\n"
           "    require: authenticated\n"
           "  - name: public\n"
           "    path: /\n"
           "    upstream: echo\n"
           "    require: public\n";
}

}  // namespace gk::cli
