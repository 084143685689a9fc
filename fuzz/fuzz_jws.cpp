// parse_jws, parse_claims, verify_jwt and the strict JSON parser on arbitrary
// bytes. Properties:
// - an accepted JWS re-encodes to exactly the input (one spelling per token:
//   strict base64url), its signing input is the input's first two parts, and
//   `none`, crit and nested tokens never get through;
// - strict JSON agrees with Boost.JSON: whatever it accepts Boost parses to
//   the same value, and whatever object Boost accepts within the depth cap it
//   accepts too, unless a member name repeats or a number overflows;
// - accepted claims survive a round trip (serialize, sign, verify_jwt);
// - verify_jwt never accepts a token that a fixed key set did not sign.
#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/jwt.hpp"
#include "jose/strict_json.hpp"

namespace {

using namespace gk;
using namespace gk::jose;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

// A fixed HMAC key ("fuzz" x 8) so that seeds can carry validly signed tokens.
const JwkSet& key_set() {
    static const JwkSet set = [] {
        Jwk k;
        k.key = crypto::Key::hmac_secret(Secret(std::string("fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz")));
        k.kid = "fuzz";
        return JwkSet({k});
    }();
    return set;
}

void check_jws(std::string_view text) {
    auto r = parse_jws(text, 4096);
    if (!r.ok()) {
        if (to_string(r.error()) == nullptr) __builtin_trap();
        return;
    }
    const Jws& j = r.value();
    const std::string again = httpauth::base64url_encode(j.header_json) + "." +
                              httpauth::base64url_encode(j.payload) + "." +
                              httpauth::base64url_encode(j.signature);
    if (again != text) __builtin_trap();
    if (text.substr(0, j.signing_input.size()) != j.signing_input) __builtin_trap();
    if (j.signature.empty() || j.header_json.empty()) __builtin_trap();
    if (!crypto::sig_alg_from_jose_name(crypto::jose_name(j.header.alg))) __builtin_trap();
    auto h = detail::parse_object(j.header_json);
    if (!h.ok() || h->contains("crit")) __builtin_trap();
    const auto& alg = h->at("alg");
    if (!alg.is_string() || alg.get_string() != crypto::jose_name(j.header.alg)) __builtin_trap();
    (void)verify_jws(j, key_set());
}

// True when some number in `text` parses to infinity: strict JSON refuses
// that, while Boost.JSON keeps it, or drops it when a repeated member name
// replaces it (so the finished value cannot tell). Only numbers are looked at.
struct OverflowSpotter {
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();
    bool overflow = false;
    using ec_t = boost::json::error_code;
    using sv = boost::json::string_view;
    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) { return true; }
    bool on_object_end(std::size_t, ec_t&) { return true; }
    bool on_array_begin(ec_t&) { return true; }
    bool on_array_end(std::size_t, ec_t&) { return true; }
    bool on_key_part(sv, std::size_t, ec_t&) { return true; }
    bool on_key(sv, std::size_t, ec_t&) { return true; }
    bool on_string_part(sv, std::size_t, ec_t&) { return true; }
    bool on_string(sv, std::size_t, ec_t&) { return true; }
    bool on_number_part(sv, ec_t&) { return true; }
    bool on_int64(std::int64_t, sv, ec_t&) { return true; }
    bool on_uint64(std::uint64_t, sv, ec_t&) { return true; }
    bool on_double(double d, sv, ec_t&) {
        overflow = overflow || !std::isfinite(d);
        return true;
    }
    bool on_bool(bool, ec_t&) { return true; }
    bool on_null(ec_t&) { return true; }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }
};

bool some_number_overflows(std::string_view text) {
    boost::json::parse_options opt;
    opt.max_depth = detail::kMaxJsonDepth;
    boost::json::basic_parser<OverflowSpotter> p(opt);
    boost::json::error_code ec;
    try {
        p.write_some(false, text.data(), text.size(), ec);
    } catch (const std::exception&) {
        return false;
    }
    return p.handler().overflow;
}

void check_json(std::string_view text) {
    auto ours = detail::parse_object(text);
    boost::json::parse_options opt;
    opt.max_depth = detail::kMaxJsonDepth;
    boost::json::error_code ec;
    boost::json::value theirs;
    try {
        theirs = boost::json::parse(text, ec, {}, opt);
    } catch (const std::exception&) {
        ec = boost::json::error::syntax;
    }
    if (ours.ok()) {
        if (ec || !theirs.is_object() || boost::json::value(ours.value()) != theirs) __builtin_trap();
    } else if (!ec && theirs.is_object() && ours.error() != JoseError::duplicate_member &&
               !some_number_overflows(text)) {
        __builtin_trap();
    }
}

// Equal, except that a double may move by an ulp or two: Boost.JSON 1.81
// parses numbers without correct rounding, so serialize -> parse of a double
// is not always the identity (its `precise` option arrived in 1.83).
bool same_json(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_double() && b.is_double()) {
        const double x = a.get_double(), y = b.get_double();
        return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), std::fabs(y));
    }
    if (a.kind() != b.kind()) return false;
    if (a.is_array()) {
        const auto &x = a.get_array(), &y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (!same_json(x[i], y[i])) return false;
        }
        return true;
    }
    if (a.is_object()) {
        const auto &x = a.get_object(), &y = b.get_object();
        if (x.size() != y.size()) return false;
        for (const auto& m : x) {
            const auto* other = y.if_contains(m.key());
            if (other == nullptr || !same_json(m.value(), *other)) return false;
        }
        return true;
    }
    return a == b;
}

// A NumericDate read from an integer must survive exactly; one read from a
// double only up to the same ulp drift.
bool same_date(const gk::jose::Claims& a, const char* name, const std::optional<std::int64_t>& x,
               const std::optional<std::int64_t>& y) {
    const auto* v = a.raw.if_contains(name);
    if (v == nullptr || !v->is_double()) return x == y;
    return x.has_value() == y.has_value();
}

void check_claims(std::string_view text) {
    auto c = parse_claims(text);
    if (!c.ok()) return;
    ClaimRules rules;
    rules.issuer = "https://issuer.example";
    rules.audiences = {"api"};
    rules.max_age = std::chrono::seconds(300);
    rules.required = {"sub", "realm_access.roles"};
    (void)validate_claims(c.value(), rules, kNow);
    (void)claim_strings(c.value(), "realm_access.roles");
    (void)claim_strings(c.value(), "groups");

    // Round trip through a real signature: same claims come back.
    const Jwk& k = key_set().keys().front();
    auto token =
        sign_jws(crypto::SigAlg::hs256, k.key, boost::json::serialize(c->raw), {.kid = "fuzz", .typ = {}});
    if (!token.ok()) __builtin_trap();
    JwtRules jr;
    jr.max_bytes = 1 << 20;
    auto back = verify_jwt(token.value(), key_set(), jr, kNow);
    if (back.ok()) {
        if (!same_json(back->raw, c->raw) || !same_date(*c, "exp", c->exp, back->exp) ||
            !same_date(*c, "nbf", c->nbf, back->nbf) || !same_date(*c, "iat", c->iat, back->iat) ||
            back->aud != c->aud || back->scopes != c->scopes || back->iss != c->iss || back->sub != c->sub) {
            __builtin_trap();
        }
    } else {
        const JoseError e = back.error();
        // Only the clock may refuse a round-tripped claims set.
        if (e != JoseError::missing_claim && e != JoseError::expired && e != JoseError::not_yet_valid &&
            e != JoseError::issued_in_future) {
            __builtin_trap();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_jws(text);
    check_json(text);
    check_claims(text);
    JwtRules rules;
    rules.claims.issuer = "https://issuer.example";
    (void)verify_jwt(text, key_set(), rules, kNow);
    return 0;
}
