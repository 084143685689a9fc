#include "gatekeeper/httpauth/utf8.hpp"

#include <cstddef>

namespace gk::httpauth {

bool is_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    const std::size_t n = s.size();
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < n) {
        const unsigned char c = at(i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;  // 80-C1 (stray continuation, overlong lead) and F5-FF
        }
        if (i + len > n || at(i + 1) < lo || at(i + 1) > hi) return false;
        for (std::size_t k = 2; k < len; ++k)
            if ((at(i + k) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

}  // namespace gk::httpauth
