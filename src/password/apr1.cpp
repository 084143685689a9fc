// Apache's "$apr1$": Poul-Henning Kamp's md5crypt with the magic "$apr1$"
// instead of "$1$". 1000 MD5 rounds: verify-only, reported as legacy.
#include <algorithm>
#include <array>

#include "gatekeeper/crypto/crypto.hpp"
#include "password/detail.hpp"

namespace gk::password::detail {
namespace {

constexpr std::string_view kMagic = "$apr1$";
constexpr std::size_t kMaxSalt = 8;
constexpr std::size_t kEncodedLen = 22;  // 128 bits in 6-bit groups

std::string md5(std::string_view data) { return crypto::digest(crypto::DigestAlg::md5, data); }

// md5crypt's base 64: low 6 bits first, `n` characters from a 24-bit group.
void to64(std::string& out, unsigned long v, int n) {
    while (n-- > 0) {
        out += kCryptAlphabet[v & 0x3f];
        v >>= 6;
    }
}

unsigned long byte(const std::string& s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

}  // namespace

std::string apr1_crypt(std::string_view password, std::string_view salt) {
    salt = salt.substr(0, kMaxSalt);
    std::string buf;
    buf.reserve(password.size() * 2 + 64);

    buf.append(password).append(salt).append(password);
    std::string alt = md5(buf);

    buf.assign(password).append(kMagic).append(salt);
    for (std::size_t left = password.size(); left > 0; left -= std::min<std::size_t>(left, 16))
        buf.append(alt, 0, std::min<std::size_t>(left, 16));
    // The original's quirk, kept for compatibility: a NUL byte for each set bit
    // of the length, the first password byte for each clear one.
    for (std::size_t i = password.size(); i != 0; i >>= 1)
        buf += (i & 1) ? '\0' : (password.empty() ? '\0' : password[0]);
    std::string fin = md5(buf);

    for (int i = 0; i < 1000; ++i) {
        buf.clear();
        if (i & 1) buf.append(password); else buf.append(fin);
        if (i % 3) buf.append(salt);
        if (i % 7) buf.append(password);
        if (i & 1) buf.append(fin); else buf.append(password);
        wipe(fin);
        fin = md5(buf);
    }
    wipe(buf);
    wipe(alt);

    std::string out;
    out.reserve(kMagic.size() + salt.size() + 1 + kEncodedLen);
    out.append(kMagic).append(salt).append("$");
    static constexpr std::array<std::array<int, 3>, 5> kGroups{{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}}};
    for (const auto& g : kGroups)
        to64(out, (byte(fin, g[0]) << 16) | (byte(fin, g[1]) << 8) | byte(fin, g[2]), 4);
    to64(out, byte(fin, 11), 2);
    wipe(fin);
    return out;
}

Result<bool, VerifyError> verify_apr1(std::string_view stored, std::string_view password) {
    std::string_view rest = stored.substr(kMagic.size());
    auto dollar = rest.find('$');
    if (dollar == std::string_view::npos) return fail(VerifyError::malformed_hash);
    std::string_view salt = rest.substr(0, dollar);
    std::string_view encoded = rest.substr(dollar + 1);
    // Apache writes 8 salt characters from the crypt alphabet; a longer salt
    // would be cut to 8 and never reproduce the stored string.
    if (salt.empty() || salt.size() > kMaxSalt || !all_crypt64(salt)) return fail(VerifyError::malformed_hash);
    if (encoded.size() != kEncodedLen || !all_crypt64(encoded)) return fail(VerifyError::malformed_hash);
    std::string computed = apr1_crypt(password, salt);
    bool match = crypto::ct_equal(computed, stored);
    wipe(computed);
    return match;
}

}  // namespace gk::password::detail
