// Format detection by prefix, and the names operators see in warnings.
#include <array>
#include <utility>

#include "gatekeeper/password/hash.hpp"
#include "password/detail.hpp"

namespace gk::password {

Format detect(std::string_view stored) noexcept {
    // Longest prefixes first only matters for argon2: "$argon2i$" is not a
    // prefix of "$argon2id$" because of the '$', so order is otherwise free.
    static constexpr std::array<std::pair<std::string_view, Format>, 11> kPrefixes{{
        {"$argon2id$", Format::argon2id},
        {"$argon2i$", Format::argon2i},
        {"$argon2d$", Format::argon2d},
        {"$2a$", Format::bcrypt},
        {"$2b$", Format::bcrypt},
        {"$2y$", Format::bcrypt},
        {"$5$", Format::sha256_crypt},
        {"$6$", Format::sha512_crypt},
        {"$y$", Format::yescrypt},
        {"$apr1$", Format::apr1},
        {"{SHA}", Format::sha1},
    }};
    for (const auto& [prefix, format] : kPrefixes)
        if (stored.starts_with(prefix)) return format;
    if (detail::is_des_crypt(stored)) return Format::des_crypt;
    return Format::unknown;
}

const char* to_string(Format f) noexcept {
    switch (f) {
        case Format::argon2id: return "argon2id";
        case Format::argon2i: return "argon2i";
        case Format::argon2d: return "argon2d";
        case Format::bcrypt: return "bcrypt";
        case Format::sha256_crypt: return "sha256-crypt";
        case Format::sha512_crypt: return "sha512-crypt";
        case Format::yescrypt: return "yescrypt";
        case Format::apr1: return "apr1";
        case Format::sha1: return "sha1";
        case Format::des_crypt: return "des-crypt";
        case Format::unknown: break;
    }
    return "unknown";
}

bool is_legacy(Format f) noexcept {
    // apr1 is 1000 rounds of MD5 and {SHA} is one unsalted SHA-1: both are
    // brute-forced on a GPU at billions of guesses per second. bcrypt is not
    // legacy but silently ignores every byte of a password after the 72nd.
    // DES crypt uses only the first 8 characters of a password and a 12-bit salt.
    return f == Format::apr1 || f == Format::sha1 || f == Format::des_crypt;
}

const char* to_string(VerifyError e) noexcept {
    switch (e) {
        case VerifyError::unsupported_format: return "unsupported password hash format";
        case VerifyError::malformed_hash: return "malformed password hash";
    }
    return "password hash error";
}

}  // namespace gk::password
