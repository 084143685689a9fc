#pragma once
// Hex-written test vectors (Wycheproof, RFC examples) as bytes.
#include <string>
#include <string_view>

namespace gk::test {

inline std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

}  // namespace gk::test
