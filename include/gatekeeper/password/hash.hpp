#pragma once
// Password hash formats: verify any supported format, create argon2id.
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"

namespace gk::password {

enum class Format {
    argon2id, argon2i, argon2d,   // $argon2id$ ... (PHC)
    bcrypt,                       // $2a$ $2b$ $2y$
    sha256_crypt, sha512_crypt,   // $5$ $6$
    yescrypt,                     // $y$
    apr1,                         // $apr1$ (Apache MD5, legacy)
    sha1,                         // {SHA} (unsalted SHA-1, legacy, read-only)
    unknown,
};
Format detect(std::string_view stored) noexcept;
const char* to_string(Format) noexcept;
// Formats an operator should be warned about at start-up.
bool is_legacy(Format) noexcept;

enum class VerifyError { unsupported_format, malformed_hash };
const char* to_string(VerifyError) noexcept;

// true = password matches. Constant-time where the format allows.
Result<bool, VerifyError> verify(std::string_view stored, std::string_view password);

struct Argon2Params {
    // OWASP / ASVS 5.0 appendix C: t=2, m=19 MiB, p=1.
    unsigned t_cost = 2;
    unsigned m_cost_kib = 19 * 1024;
    unsigned parallelism = 1;
};
// A new PHC string "$argon2id$v=19$m=...,t=...,p=...$salt$hash" (16-byte salt, 32-byte tag).
std::string hash_argon2id(std::string_view password, const Argon2Params& p = {});

// A valid hash of a random password, same cost as new hashes: verifying against
// it makes an unknown user cost the same as a wrong password.
const std::string& dummy_hash();

}  // namespace gk::password
