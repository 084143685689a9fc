// Cookie headers and Set-Cookie values on arbitrary bytes.
// Properties:
// - parsing never fails; every cookie has a non-empty name, and neither name
//   nor value holds ';' or starts or ends with SP/HTAB; names hold no '=';
// - one header line split at '\n' into several lines parses to the same jar as
//   the lines joined with "; ";
// - single() agrees with count(): absent, the one value, or duplicate;
// - a Set-Cookie built from a parsed name and value either fails or is a line
//   without CR/LF whose "name=value" part parses back to that cookie alone.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/httpauth/cookie.hpp"

namespace {

using namespace gk::httpauth;

bool edge_ws(std::string_view s) {
    return !s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    std::vector<std::string_view> lines;
    std::string joined;
    for (std::string_view rest = text;;) {
        const auto nl = rest.find('\n');
        lines.push_back(rest.substr(0, nl));
        if (!joined.empty()) joined += "; ";
        joined += rest.substr(0, nl);
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
    const CookieJar jar = parse_cookie_headers(lines);
    if (jar.cookies() != parse_cookie_header(joined).cookies()) __builtin_trap();

    for (const auto& c : jar.cookies()) {
        if (c.name.empty() || c.name.find_first_of(";=") != std::string::npos) __builtin_trap();
        if (c.value.find(';') != std::string::npos) __builtin_trap();
        if (edge_ws(c.name) || edge_ws(c.value)) __builtin_trap();
        const auto n = jar.count(c.name);
        auto one = jar.single(c.name);
        if (n == 0) __builtin_trap();
        if (n == 1 && (!one.ok() || !one.value() || *one.value() != c.value)) __builtin_trap();
        if (n > 1 && (one.ok() || one.error() != CookieError::duplicate)) __builtin_trap();

        SetCookie sc;
        sc.name = c.name;
        sc.value = c.value;
        auto line = format_set_cookie(sc);
        if (!line.ok()) continue;
        if (line.value().find_first_of("\r\n") != std::string::npos) __builtin_trap();
        const std::string& l = line.value();
        const auto back = parse_cookie_header(l.substr(0, l.find(';')));
        if (back.size() != 1 || back.cookies()[0] != c) __builtin_trap();
    }
    return 0;
}
