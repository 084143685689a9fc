// Strict base64 / base64url on arbitrary bytes, both directions:
// - encode then decode gives the input back (both alphabets);
// - any text that decodes re-encodes to exactly that text (one spelling per value);
// - encoded forms have the documented shape (padding only in base64).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/httpauth/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    const std::string std_enc = gk::httpauth::base64_encode(in);
    if (std_enc.size() % 4 != 0) __builtin_trap();
    auto std_dec = gk::httpauth::base64_decode(std_enc);
    if (!std_dec || *std_dec != in) __builtin_trap();

    const std::string url_enc = gk::httpauth::base64url_encode(in);
    if (url_enc.find_first_of("=+/") != std::string::npos) __builtin_trap();
    auto url_dec = gk::httpauth::base64url_decode(url_enc);
    if (!url_dec || *url_dec != in) __builtin_trap();

    if (auto d = gk::httpauth::base64_decode(in)) {
        if (gk::httpauth::base64_encode(*d) != in) __builtin_trap();
    }
    if (auto d = gk::httpauth::base64url_decode(in)) {
        if (gk::httpauth::base64url_encode(*d) != in) __builtin_trap();
    }
    return 0;
}
