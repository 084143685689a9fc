// verify() on arbitrary stored hashes: never crashes, never throws.
// Input: stored hash, a NUL byte, then the password (the rest).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gatekeeper/password/hash.hpp"

namespace {

// Tighter than verify()'s own caps so that each run stays in milliseconds.
gk::password::CostLimits fuzz_limits() {
    gk::password::CostLimits l;
    l.argon2_max_m_kib = 65536;
    l.argon2_max_t = 4;
    l.argon2_max_p = 4;
    l.bcrypt_max_cost = 6;
    l.sha_crypt_max_rounds = 20000;
    l.yescrypt_max_bytes = 16ULL << 20;
    l.yescrypt_max_t = 2;
    return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto split = in.find('\0');
    std::string_view stored = in.substr(0, split);
    std::string_view password = split == std::string_view::npos ? std::string_view{} : in.substr(split + 1);

    static const gk::password::CostLimits limits = fuzz_limits();
    if (!gk::password::argon2_params_reasonable(stored, limits)) return 0;
    if (!gk::password::cost_reasonable(stored, limits)) return 0;

    const auto format = gk::password::detect(stored);
    auto r = gk::password::verify(stored, password);
    // Unknown formats are unsupported and known ones never report that.
    if (format == gk::password::Format::unknown) {
        if (r.ok() || r.error() != gk::password::VerifyError::unsupported_format) std::abort();
    } else if (!r.ok() && r.error() == gk::password::VerifyError::unsupported_format) {
        std::abort();
    }
    return 0;
}
