// JWT claims set parsing (RFC 7519 section 4): strict JSON, and registered
// claims of the right type or an error. Claims gatekeeper does not know stay
// in `raw` untouched (section 4: ignored unless the configuration maps them).
#include "gatekeeper/jose/claims.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "jose/strict_json.hpp"

namespace gk::jose {
namespace {

namespace json = boost::json;

bool string_claim(const json::object& o, std::string_view name, std::string& out) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr) return true;
    if (!v->is_string()) return false;
    out = std::string(v->get_string());
    return true;
}

// NumericDate (RFC 7519 section 2): a JSON number, possibly fractional
// (truncated toward zero). Strings, booleans, null and values outside int64 are bad_claim.
bool date_claim(const json::object& o, std::string_view name, std::optional<std::int64_t>& out) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr) return true;
    switch (v->kind()) {
        case json::kind::int64:
            out = v->get_int64();
            return true;
        case json::kind::uint64:
            if (v->get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return false;
            out = static_cast<std::int64_t>(v->get_uint64());
            return true;
        case json::kind::double_: {
            const double d = std::trunc(v->get_double());
            // 2^63 is exactly representable; anything at or past it (or NaN/inf) is out of range.
            if (!std::isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) return false;
            out = static_cast<std::int64_t>(d);
            return true;
        }
        default:
            return false;
    }
}

// A string gives one value; an array must hold only strings.
bool string_or_array(const json::value& v, std::vector<std::string>& out) {
    if (v.is_string()) {
        out.emplace_back(v.get_string());
        return true;
    }
    if (!v.is_array()) return false;
    for (const auto& e : v.get_array()) {
        if (!e.is_string()) return false;
        out.emplace_back(e.get_string());
    }
    return true;
}

void add_unique(std::vector<std::string>& to, std::string s) {
    if (!s.empty() && std::find(to.begin(), to.end(), s) == to.end()) to.push_back(std::move(s));
}

// "scope" (RFC 8693 section 4.2, RFC 9068 section 2.2.3): space-separated.
// "scp" (Azure AD, Okta): a string or an array of strings.
bool scopes(const json::object& o, std::vector<std::string>& out) {
    if (const json::value* v = o.if_contains("scope")) {
        if (!v->is_string()) return false;
        const std::string_view s = v->get_string();
        std::size_t i = 0;
        while (i < s.size()) {
            const std::size_t j = std::min(s.find(' ', i), s.size());
            add_unique(out, std::string(s.substr(i, j - i)));
            i = j + 1;
        }
    }
    if (const json::value* v = o.if_contains("scp")) {
        std::vector<std::string> list;
        if (!string_or_array(*v, list)) return false;
        for (auto& s : list) add_unique(out, std::move(s));
    }
    return true;
}

}  // namespace

Result<Claims, JoseError> parse_claims(std::string_view payload_json) {
    auto parsed = detail::parse_object(payload_json);
    if (!parsed) return fail(parsed.error());
    // Moved in at construction, so the object keeps the arena it was parsed
    // into (assigning would copy it into the default allocator).
    Claims c{.raw = std::move(*parsed), .iss = {}, .sub = {}, .aud = {}, .exp = {}, .nbf = {}, .iat = {}, .jti = {},
             .scopes = {}};
    const json::object* o = &c.raw;
    if (!string_claim(*o, "iss", c.iss) || !string_claim(*o, "sub", c.sub) ||
        !string_claim(*o, "jti", c.jti)) {
        return fail(JoseError::bad_claim);
    }
    if (const json::value* aud = o->if_contains("aud"); aud != nullptr && !string_or_array(*aud, c.aud)) {
        return fail(JoseError::bad_claim);
    }
    if (!date_claim(*o, "exp", c.exp) || !date_claim(*o, "nbf", c.nbf) || !date_claim(*o, "iat", c.iat)) {
        return fail(JoseError::bad_claim);
    }
    if (!scopes(*o, c.scopes)) return fail(JoseError::bad_claim);
    return c;
}

}  // namespace gk::jose
