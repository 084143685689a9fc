// Strict syntax of the modular-crypt strings, and the cost each one asks for.
// verify() runs these before handing anything to libargon2 or libxcrypt, so the
// libraries only ever see strings whose shape and work factor are known.
#include <cstdint>

#include "password/detail.hpp"

namespace gk::password::detail {
namespace {

// Longest stored string any supported format produces is well under this.
constexpr std::size_t kMaxStored = 512;

bool consume(std::string_view& s, std::string_view lit) noexcept {
    if (!s.starts_with(lit)) return false;
    s.remove_prefix(lit.size());
    return true;
}

// Canonical decimal: no sign, no leading zero, at most `max`.
std::optional<unsigned long> decimal(std::string_view& s, unsigned long max) noexcept {
    std::size_t n = 0;
    unsigned long v = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
        if (n == 1 && s[0] == '0') return std::nullopt;
        unsigned long digit = static_cast<unsigned long>(s[n] - '0');
        if (v > (max - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
        ++n;
    }
    if (n == 0) return std::nullopt;
    s.remove_prefix(n);
    return v;
}

// Up to the next '$' (which is consumed); nullopt if there is none.
std::optional<std::string_view> field(std::string_view& s) noexcept {
    auto end = s.find('$');
    if (end == std::string_view::npos) return std::nullopt;
    auto f = s.substr(0, end);
    s.remove_prefix(end + 1);
    return f;
}

// Unpadded standard base64 as PHC strings use it; a length of 1 mod 4 can
// never come from whole bytes.
bool phc_b64(std::string_view s, std::size_t min_len) noexcept {
    if (s.size() < min_len || s.size() % 4 == 1) return false;
    for (char c : s) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                  c == '/';
        if (!ok) return false;
    }
    return true;
}

// yescrypt's variable-length little base-64 integers (libxcrypt's
// decode64_uint32): one character covers 48 values, longer runs the rest.
std::optional<unsigned long long> yescrypt_uint(std::string_view& s, unsigned long long min) noexcept {
    if (s.empty()) return std::nullopt;
    int c = crypt64_index(s.front());
    if (c < 0) return std::nullopt;
    s.remove_prefix(1);
    unsigned start = 0, end = 47, chars = 1, bits = 0;
    unsigned long long v = min;
    while (static_cast<unsigned>(c) > end) {
        v += static_cast<unsigned long long>(end + 1 - start) << bits;
        start = end + 1;
        end = start + (62 - end) / 2;
        ++chars;
        bits += 6;
    }
    v += static_cast<unsigned long long>(static_cast<unsigned>(c) - start) << bits;
    while (--chars) {
        if (s.empty()) return std::nullopt;
        int d = crypt64_index(s.front());
        if (d < 0) return std::nullopt;
        s.remove_prefix(1);
        bits -= 6;
        v += static_cast<unsigned long long>(d) << bits;
    }
    return v;
}

unsigned long long sat_mul(unsigned long long a, unsigned long long b) noexcept {
    unsigned long long r = 0;
    return __builtin_mul_overflow(a, b, &r) ? ~0ULL : r;
}

}  // namespace

std::optional<Argon2Cost> parse_argon2(std::string_view s) {
    if (s.size() > kMaxStored) return std::nullopt;
    if (!consume(s, "$argon2id$") && !consume(s, "$argon2i$") && !consume(s, "$argon2d$")) return std::nullopt;
    if (consume(s, "v=")) {
        auto v = decimal(s, 0xFFFFFFFFUL);
        if (!v || (*v != 0x10 && *v != 0x13) || !consume(s, "$")) return std::nullopt;
    }
    Argon2Cost c;
    std::optional<unsigned long> m, t, p;
    if (!consume(s, "m=") || !(m = decimal(s, 0xFFFFFFFFUL)) || !consume(s, ",t=") ||
        !(t = decimal(s, 0xFFFFFFFFUL)) || !consume(s, ",p=") || !(p = decimal(s, 0xFFFFFFUL)) ||
        !consume(s, "$"))
        return std::nullopt;
    c.m_kib = *m;
    c.t = *t;
    c.p = *p;
    if (c.t == 0 || c.p == 0) return std::nullopt;
    auto salt = field(s);
    // Salt >= 8 bytes (11 chars) and tag >= 4 bytes (6 chars): libargon2's minimums.
    if (!salt || !phc_b64(*salt, 11) || !phc_b64(s, 6)) return std::nullopt;
    return c;
}

std::optional<unsigned long> parse_bcrypt(std::string_view s) {
    // "$2y$" NN "$" 22 salt + 31 hash characters.
    if (s.size() != 60 || s[6] != '$') return std::nullopt;
    if (s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9') return std::nullopt;
    unsigned long cost = static_cast<unsigned long>((s[4] - '0') * 10 + (s[5] - '0'));
    if (cost < 4 || cost > 31 || !all_crypt64(s.substr(7))) return std::nullopt;
    return cost;
}

bool is_des_crypt(std::string_view s) noexcept {
    // 2 salt + 11 hash characters; htpasswd -d writes nothing else.
    return s.size() == 13 && all_crypt64(s);
}

std::optional<unsigned long> parse_sha_crypt(std::string_view s) {
    if (s.size() > kMaxStored) return std::nullopt;
    std::size_t hash_len = s.starts_with("$5$") ? 43 : 86;
    s.remove_prefix(3);
    unsigned long rounds = 5000;  // the spec's default when "rounds=" is absent
    if (consume(s, "rounds=")) {
        auto r = decimal(s, 999'999'999UL);
        if (!r || !consume(s, "$")) return std::nullopt;
        rounds = *r;
    }
    auto salt = field(s);
    // Only the first 16 salt characters count, so a longer one could never
    // reproduce the stored string: call it malformed instead of "wrong password".
    if (!salt || salt->size() > 16) return std::nullopt;
    for (char c : *salt)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == ':') return std::nullopt;
    if (s.size() != hash_len || !all_crypt64(s)) return std::nullopt;
    return rounds;
}

std::optional<YescryptCost> parse_yescrypt(std::string_view s) {
    if (s.size() > kMaxStored) return std::nullopt;
    s.remove_prefix(3);
    auto params = field(s);
    auto salt = field(s);
    if (!params || !salt || params->empty() || salt->empty() || !all_crypt64(*salt)) return std::nullopt;
    if (s.size() != 43 || !all_crypt64(s)) return std::nullopt;

    // flavor, log2(N), r [, have-bitmap, p?, t?, g?, NROM?]: as libxcrypt reads them.
    std::string_view ps = *params;
    auto flavor = yescrypt_uint(ps, 0);
    auto n_log2 = yescrypt_uint(ps, 1);
    auto r = yescrypt_uint(ps, 1);
    if (!flavor || !n_log2 || !r || *n_log2 > 63) return std::nullopt;
    unsigned long long p = 1, t = 0, g = 0;
    if (!ps.empty()) {
        auto have = yescrypt_uint(ps, 1);
        if (!have || *have > 15) return std::nullopt;
        std::optional<unsigned long long> v;
        if ((*have & 1) && !(v = yescrypt_uint(ps, 2))) return std::nullopt;
        if (*have & 1) p = *v;
        if ((*have & 2) && !(v = yescrypt_uint(ps, 1))) return std::nullopt;
        if (*have & 2) t = *v;
        if ((*have & 4) && !(v = yescrypt_uint(ps, 1))) return std::nullopt;
        if (*have & 4) g = *v;
        if ((*have & 8) && !yescrypt_uint(ps, 1)) return std::nullopt;  // ROM size: not ours to bound
        if (!ps.empty()) return std::nullopt;
    }
    YescryptCost c;
    c.bytes = sat_mul(sat_mul(sat_mul(128, *r), 1ULL << *n_log2), p);
    c.bytes = g >= 32 ? ~0ULL : sat_mul(c.bytes, 1ULL << g);
    c.t = t > 0xFFFFFFFFULL ? 0xFFFFFFFFUL : static_cast<unsigned long>(t);
    return c;
}

}  // namespace gk::password::detail

namespace gk::password {

bool argon2_params_reasonable(std::string_view stored, const CostLimits& limits) {
    auto f = detect(stored);
    if (f != Format::argon2id && f != Format::argon2i && f != Format::argon2d) return true;
    auto c = detail::parse_argon2(stored);
    if (!c) return true;  // verify() refuses it before hashing anything
    return c->m_kib <= limits.argon2_max_m_kib && c->t <= limits.argon2_max_t && c->p <= limits.argon2_max_p;
}

bool cost_reasonable(std::string_view stored, const CostLimits& limits) {
    switch (detect(stored)) {
        case Format::argon2id:
        case Format::argon2i:
        case Format::argon2d:
            return argon2_params_reasonable(stored, limits);
        case Format::bcrypt: {
            auto cost = detail::parse_bcrypt(stored);
            return !cost || *cost <= limits.bcrypt_max_cost;
        }
        case Format::sha256_crypt:
        case Format::sha512_crypt: {
            auto rounds = detail::parse_sha_crypt(stored);
            return !rounds || *rounds <= limits.sha_crypt_max_rounds;
        }
        case Format::yescrypt: {
            auto c = detail::parse_yescrypt(stored);
            return !c || (c->bytes <= limits.yescrypt_max_bytes && c->t <= limits.yescrypt_max_t);
        }
        case Format::apr1:
        case Format::sha1:
        case Format::des_crypt:
        case Format::unknown:
            break;
    }
    return true;  // fixed, cheap cost
}

}  // namespace gk::password
