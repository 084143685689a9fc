// parse_challenges on arbitrary bytes: never crashes, and whatever it accepts
// survives format -> parse unchanged (schemes, token68, param names, values and
// quoting), with formatting a fixed point after one round.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/httpauth/challenge.hpp"

namespace {

bool same(const gk::httpauth::Challenge& a, const gk::httpauth::Challenge& b) {
    if (a.scheme != b.scheme || a.token68 != b.token68 || a.params.size() != b.params.size()) return false;
    for (std::size_t i = 0; i < a.params.size(); ++i) {
        const auto& p = a.params[i];
        const auto& q = b.params[i];
        if (p.name != q.name || p.value != q.value || p.quoted != q.quoted) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto first = gk::httpauth::parse_challenges(text);
    if (!first.ok()) {
        if (gk::httpauth::to_string(first.error()) == nullptr) __builtin_trap();
        return 0;
    }
    for (const auto& c : first.value()) {
        if (c.scheme.empty() || !gk::httpauth::is_token(c.scheme)) __builtin_trap();
        if (c.token68 && !c.params.empty()) __builtin_trap();  // token68 XOR params
        for (const auto& p : c.params) {
            if (!gk::httpauth::is_token(p.name)) __builtin_trap();
            for (char ch : p.name) {
                if (ch >= 'A' && ch <= 'Z') __builtin_trap();  // names are stored lower-case
            }
        }
    }
    const std::string once = gk::httpauth::format_challenges(first.value());
    auto second = gk::httpauth::parse_challenges(once);
    if (!second.ok()) __builtin_trap();
    const auto& a = first.value();
    const auto& b = second.value();
    if (a.size() != b.size()) __builtin_trap();
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!same(a[i], b[i])) __builtin_trap();
    }
    if (gk::httpauth::format_challenges(b) != once) __builtin_trap();
    return 0;
}
