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
    des_crypt,                    // 13 chars of [./0-9A-Za-z] (htpasswd -d; legacy, 8-char truncation)
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
// Edge-only exceptions: std::invalid_argument if libargon2 refuses the params
// (e.g. m_cost_kib < 8 * parallelism), std::bad_alloc if it cannot get the memory,
// and whatever crypto::random_bytes throws when the CSPRNG fails.
std::string hash_argon2id(std::string_view password, const Argon2Params& p = {});

// A valid hash of a random password, same cost as new hashes: verifying against
// it makes an unknown user cost the same as a wrong password.
const std::string& dummy_hash();

// The most work a stored hash may ask of verify(). A hash file is data, and a
// hostile or corrupted line must not turn one login attempt into minutes of CPU
// or gigabytes of memory: verify() answers malformed_hash for anything above
// the defaults, without running the hash.
struct CostLimits {
    unsigned long argon2_max_m_kib = 1024UL * 1024;        // 1 GiB
    unsigned long argon2_max_t = 64;
    unsigned long argon2_max_p = 16;                      // libargon2 starts one thread per lane
    unsigned long bcrypt_max_cost = 17;                   // Apache htpasswd's own maximum
    unsigned long sha_crypt_max_rounds = 10'000'000;      // the spec allows 999,999,999
    unsigned long long yescrypt_max_bytes = 1ULL << 30;   // 128 * r * N * p (<< g)
    unsigned long yescrypt_max_t = 64;
};

// false only for an argon2 PHC string whose m/t/p exceed `limits`; any other input
// (other formats, unreadable params that verify() rejects before hashing) is true.
// Fuzzers pass tighter limits; verify() enforces the defaults.
bool argon2_params_reasonable(std::string_view stored, const CostLimits& limits = {});
// The same question for every format: argon2 m/t/p, bcrypt cost, sha-crypt
// rounds, yescrypt memory and time. Cheap (no hashing).
bool cost_reasonable(std::string_view stored, const CostLimits& limits = {});

}  // namespace gk::password
