#pragma once
// Shared between the password sources only: strict syntax checks for the
// modular-crypt formats and the per-format verifiers verify() dispatches to.
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/password/hash.hpp"

namespace gk::password::detail {

// Secrets pass through temporary buffers; clear them before the memory is reused.
inline void wipe(std::string& s) noexcept {
    if (!s.empty()) explicit_bzero(s.data(), s.size());
    s.clear();
}

// "./0-9A-Za-z" in that order: the alphabet (and value order) of md5crypt,
// sha-crypt, bcrypt (different order, same set) and yescrypt.
inline constexpr std::string_view kCryptAlphabet =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
inline int crypt64_index(char c) noexcept {
    auto pos = kCryptAlphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}
inline bool all_crypt64(std::string_view s) noexcept {
    for (char c : s)
        if (crypt64_index(c) < 0) return false;
    return true;
}

// Parsed cost parameters; nullopt means the string is malformed for its format.
struct Argon2Cost {
    unsigned long m_kib = 0, t = 0, p = 0;
};
std::optional<Argon2Cost> parse_argon2(std::string_view stored);
std::optional<unsigned long> parse_bcrypt(std::string_view stored);          // cost
std::optional<unsigned long> parse_sha_crypt(std::string_view stored);       // rounds
bool is_des_crypt(std::string_view stored) noexcept;                        // 13 chars of [./0-9A-Za-z]
struct YescryptCost {
    unsigned long long bytes = 0;
    unsigned long t = 0;
};
std::optional<YescryptCost> parse_yescrypt(std::string_view stored);

// Each assumes detect() chose its format and cost_reasonable() already passed.
Result<bool, VerifyError> verify_argon2(std::string_view stored, std::string_view password, Format f);
Result<bool, VerifyError> verify_libxcrypt(std::string_view stored, std::string_view password);
Result<bool, VerifyError> verify_apr1(std::string_view stored, std::string_view password);
Result<bool, VerifyError> verify_sha1(std::string_view stored, std::string_view password);

// Apache's "$apr1$" digest of `password` with `salt` (at most 8 characters used):
// the full "$apr1$salt$hash" string.
std::string apr1_crypt(std::string_view password, std::string_view salt);

}  // namespace gk::password::detail
