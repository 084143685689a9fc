#pragma once
// Well-formed UTF-8, the one rule every credential decoder shares (Basic's
// user-pass, Digest's username and username*).
#include <string_view>

namespace gk::httpauth {

// RFC 3629 / Unicode Table 3-7: the second byte's range depends on the lead
// byte, which is what excludes overlongs (C0, C1, E0 80-9F, F0 80-8F),
// surrogates (ED A0-BF) and code points above U+10FFFF (F4 90+, F5+).
bool is_utf8(std::string_view s) noexcept;

}  // namespace gk::httpauth
