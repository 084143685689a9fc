// Durations: digits and a unit, nothing else. Being strict here keeps "1.5s",
// "-1s" and "10 s" from silently meaning something the operator did not write.
#include <cstdint>
#include <limits>

#include "gatekeeper/config/values.hpp"

namespace gk::config {

Result<std::chrono::milliseconds, ValueError> parse_duration(std::string_view text) {
    const ValueError garbage{"'" + std::string(text) + "' is not a duration",
                             "write a whole number with a unit: 500ms, 10s, 5m, 1h, 30d (a bare number means ms)"};
    std::size_t i = 0;
    std::uint64_t n = 0;
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::chrono::milliseconds::rep>::max());
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (n > (max - digit) / 10) return fail(ValueError{"duration '" + std::string(text) + "' is too large", ""});
        n = n * 10 + digit;
        ++i;
    }
    if (i == 0) {
        if (!text.empty() && text[0] == '-') return fail(ValueError{"duration must not be negative", garbage.hint});
        return fail(garbage);
    }
    const std::string_view unit = text.substr(i);
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else if (unit == "d") scale = 86'400'000;
    else return fail(garbage);
    if (n > max / scale) return fail(ValueError{"duration '" + std::string(text) + "' is too large", ""});
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(n * scale));
}

}  // namespace gk::config
