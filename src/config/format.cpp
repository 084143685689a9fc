// The one way config errors are printed, compiler-style so editors can jump to them.
#include "gatekeeper/config/config.hpp"

namespace gk::config {

std::string format(const ConfigError& e) {
    std::string out = e.file;
    if (e.line > 0) {
        out += ":" + std::to_string(e.line);
        if (e.column > 0) out += ":" + std::to_string(e.column);
    }
    out += ": error: " + e.message;
    if (!e.hint.empty()) out += " (hint: " + e.hint + ")";
    return out;
}

}  // namespace gk::config
