// parse_htpasswd on arbitrary bytes: never crashes, and whatever it accepts
// survives format -> parse unchanged (users, hashes, order).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gatekeeper/password/htpasswd.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto first = gk::password::parse_htpasswd(text);
    if (!first.ok()) {
        // An error always names a real line.
        if (first.error().line < 1 || first.error().message.empty()) std::abort();
        return 0;
    }
    const std::string once = gk::password::format_htpasswd(first.value());
    auto second = gk::password::parse_htpasswd(once);
    if (!second.ok()) std::abort();
    const auto& a = first.value();
    const auto& b = second.value();
    if (a.size() != b.size()) std::abort();
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].user != b[i].user || a[i].hash != b[i].hash) std::abort();
        if (b[i].line != static_cast<int>(i) + 1) std::abort();  // formatted text has no gaps
    }
    if (gk::password::format_htpasswd(b) != once) std::abort();
    return 0;
}
