// Form bodies, query strings and login return URLs on arbitrary bytes.
// Properties:
// - a parsed form holds only UTF-8 text without NUL, and no more fields than the limit;
// - encode_form then parse_form gives back exactly the same fields;
// - single() agrees with count(): absent, the one value, or duplicate;
// - percent_encode of any UTF-8 text without NUL is unreserved characters and
//   %XX only, and decodes back to itself;
// - an accepted return URL is a single-'/' path or an http(s) URL on the one
//   allowed host, made of printable ASCII without '\' or '@' in the authority.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/httpauth/form.hpp"
#include "gatekeeper/httpauth/utf8.hpp"
#include "gatekeeper/issuer/return_url.hpp"

namespace {

using namespace gk;
using namespace gk::issuer;
using namespace gk::httpauth;

void check_form(std::string_view text) {
    const FormLimits limits{4096, 32};
    auto r = parse_form(text, limits);
    if (!r.ok()) {
        if (r.error() == FormError::duplicate) __builtin_trap();  // parsing never reports duplicates
        return;
    }
    const Form& f = r.value();
    if (f.size() > limits.max_fields) __builtin_trap();
    for (const auto& field : f.fields()) {
        for (const auto* s : {&field.name, &field.value}) {
            if (!httpauth::is_utf8(*s) || s->find('\0') != std::string::npos) __builtin_trap();
        }
        const auto n = f.count(field.name);
        auto one = f.single(field.name);
        if (n == 1 && (!one.ok() || !one.value() || *one.value() != *f.first(field.name))) __builtin_trap();
        if (n > 1 && (one.ok() || one.error() != FormError::duplicate)) __builtin_trap();
    }
    const std::string encoded = encode_form(f.fields());
    auto again = parse_form(encoded, FormLimits{encoded.size(), f.size()});
    if (!again.ok() || again.value().fields() != f.fields()) __builtin_trap();
}

void check_encode(std::string_view text) {
    if (!httpauth::is_utf8(text) || text.find('\0') != std::string_view::npos) return;
    const std::string enc = percent_encode(text);
    if (enc.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%") !=
        std::string::npos)
        __builtin_trap();
    auto back = form_decode(enc);
    if (!back.ok() || back.value() != text) __builtin_trap();
}

void check_return_to(std::string_view text) {
    static const std::vector<std::string> allowed = {"app.example.com"};
    auto r = check_return_url(text, allowed);
    if (!r.ok()) return;
    const std::string& u = r.value();
    if (u.empty() || u.size() > kMaxReturnUrl) __builtin_trap();
    for (const char ch : u) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F || c == '\\') __builtin_trap();
    }
    if (u[0] == '/') {
        if (u.size() > 1 && u[1] == '/') __builtin_trap();
        if (u != text) __builtin_trap();  // paths are returned unchanged
        return;
    }
    std::string_view rest = u;
    if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else {
        __builtin_trap();
    }
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority != "app.example.com" && authority != "app.example.com:443" &&
        authority != "app.example.com:80")
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_form(text);
    check_encode(text);
    check_return_to(text);
    auto q = parse_query(text);
    (void)q;
    return 0;
}
