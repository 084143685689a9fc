// parse_credentials + decode_basic on arbitrary bytes. Properties:
// - accepted credentials format and re-parse to the same value;
// - decoded Basic credentials are canonical: re-encoding user ":" password
//   gives back exactly the token68 (strict base64 means one spelling per value),
//   the user has no ':', nothing has a CTL, and the size cap holds.
// The raw input is also fed to decode_basic as a token68 directly, so the
// base64 and UTF-8 checks are reached without first satisfying the grammar.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/basic.hpp"

namespace {

void check_basic(const gk::httpauth::Credentials& c) {
    auto r = gk::schemes::decode_basic(c);
    if (!r.ok()) {
        if (gk::schemes::to_string(r.error()) == nullptr) __builtin_trap();
        return;
    }
    const auto& b = r.value();
    if (!c.token68) __builtin_trap();
    if (b.user.find(':') != std::string::npos) __builtin_trap();
    std::string user_pass = b.user;
    user_pass.push_back(':');
    user_pass.append(b.password.reveal());
    if (user_pass.size() > gk::schemes::kMaxBasicDecoded) __builtin_trap();
    for (char ch : user_pass) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f) __builtin_trap();
    }
    if (gk::httpauth::base64_encode(user_pass) != *c.token68) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    auto parsed = gk::httpauth::parse_credentials(text);
    if (parsed.ok()) {
        const auto& c = parsed.value();
        auto again = gk::httpauth::parse_credentials(gk::httpauth::format_challenge(c));
        if (!again.ok()) __builtin_trap();
        const auto& d = again.value();
        if (c.scheme != d.scheme || c.token68 != d.token68 || c.params.size() != d.params.size()) __builtin_trap();
        for (std::size_t i = 0; i < c.params.size(); ++i) {
            if (c.params[i].name != d.params[i].name || c.params[i].value != d.params[i].value) __builtin_trap();
        }
        check_basic(c);
    } else if (gk::httpauth::to_string(parsed.error()) == nullptr) {
        __builtin_trap();
    }

    gk::httpauth::Credentials raw;
    raw.scheme = "Basic";
    raw.token68 = std::string(text);
    check_basic(raw);
    return 0;
}
