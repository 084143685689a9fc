// Claim checks in a fixed order (STYLE.md habit 11): exp (always required),
// nbf, iat, maximum age, issuer, audience, required claims. The clock is an
// argument; all arithmetic saturates, so exp = 2^63-1 cannot wrap around.
#include <algorithm>
#include <limits>

#include "gatekeeper/jose/claims.hpp"

namespace gk::jose {
namespace {

namespace json = boost::json;
using I64 = std::int64_t;

I64 sat_add(I64 a, I64 b) noexcept {
    I64 r = 0;
    if (!__builtin_add_overflow(a, b, &r)) return r;
    return b > 0 ? std::numeric_limits<I64>::max() : std::numeric_limits<I64>::min();
}

I64 sat_sub(I64 a, I64 b) noexcept {
    I64 r = 0;
    if (!__builtin_sub_overflow(a, b, &r)) return r;
    return b < 0 ? std::numeric_limits<I64>::max() : std::numeric_limits<I64>::min();
}

// The value at a claim path: the whole path as one member name first (claim
// names are often URLs with dots), else the longest-prefix walk through
// nested objects ("realm_access.roles").
const json::value* find_path(const json::object& o, std::string_view path, int depth = 0) {
    if (const json::value* v = o.if_contains(path)) return v;
    if (depth > 16) return nullptr;
    for (std::size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.', dot + 1)) {
        const json::value* head = o.if_contains(path.substr(0, dot));
        if (head == nullptr || !head->is_object()) continue;
        if (const json::value* v = find_path(head->get_object(), path.substr(dot + 1), depth + 1)) return v;
    }
    return nullptr;
}

}  // namespace

Result<Ok, JoseError> validate_claims(const Claims& c, const ClaimRules& rules,
                                      std::chrono::system_clock::time_point now) {
    const I64 t = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    const I64 leeway = std::max<I64>(0, rules.leeway.count());

    // RFC 7519 section 4.1.4; exp is required whatever the rules say (jwt-cpp pitfall).
    if (!c.exp) return fail(JoseError::missing_claim);
    if (t >= sat_add(*c.exp, leeway)) return fail(JoseError::expired);
    if (c.nbf && sat_sub(*c.nbf, leeway) > t) return fail(JoseError::not_yet_valid);  // section 4.1.5
    if (c.iat && sat_sub(*c.iat, leeway) > t) return fail(JoseError::issued_in_future);
    if (rules.max_age) {
        if (!c.iat) return fail(JoseError::missing_claim);
        if (sat_sub(t, *c.iat) > rules.max_age->count()) return fail(JoseError::too_old);
    }
    // Section 7.3: simple string comparison, no case folding or normalisation.
    if (!rules.issuer.empty() && (!c.raw.contains("iss") || c.iss != rules.issuer)) {
        return fail(JoseError::wrong_issuer);
    }
    // Section 4.1.3: the token is for us when any one of its audiences is ours.
    if (!rules.audiences.empty()) {
        const bool ours = std::any_of(c.aud.begin(), c.aud.end(), [&](const std::string& a) {
            return std::find(rules.audiences.begin(), rules.audiences.end(), a) != rules.audiences.end();
        });
        if (!ours) return fail(JoseError::wrong_audience);
    }
    for (const auto& name : rules.required) {
        if (find_path(c.raw, name) == nullptr) return fail(JoseError::missing_claim);
    }
    return Ok{};
}

std::vector<std::string> claim_strings(const Claims& c, std::string_view path) {
    std::vector<std::string> out;
    const json::value* v = find_path(c.raw, path);
    if (v == nullptr) return out;
    if (v->is_string()) {
        out.emplace_back(v->get_string());
    } else if (v->is_array()) {
        for (const auto& e : v->get_array()) {
            if (e.is_string()) out.emplace_back(e.get_string());
        }
    }
    return out;
}

}  // namespace gk::jose
