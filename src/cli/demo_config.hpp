#pragma once
// The demo's configuration, written into its state folder as plain YAML so a
// newcomer can read it, copy it and run `gatekeeper explain` against it.
#include <cstdint>
#include <string>

namespace gk::cli {

struct DemoPorts {
    std::uint16_t http = 8080;
    std::uint16_t https = 8443;
    std::uint16_t echo = 0;
};

// The single-page app of web/spa and the built client it imports
// (web/client/dist); empty = the demo serves no /spa/.
struct DemoSpa {
    std::string app_dir;
    std::string client_dir;
};

std::string demo_config_yaml(const DemoPorts& ports, const DemoSpa& spa = {});

}  // namespace gk::cli
