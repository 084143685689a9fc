// argon2 (RFC 9106) through libargon2: verify PHC strings, create argon2id.
#include <argon2.h>

#include <new>
#include <stdexcept>

#include "gatekeeper/crypto/crypto.hpp"
#include "password/detail.hpp"

namespace gk::password {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kTagBytes = 32;

argon2_type to_argon2_type(Format f) {
    switch (f) {
        case Format::argon2i: return Argon2_i;
        case Format::argon2d: return Argon2_d;
        default: return Argon2_id;
    }
}

}  // namespace

namespace detail {

Result<bool, VerifyError> verify_argon2(std::string_view stored, std::string_view password, Format f) {
    // Only strings our own parser accepts reach libargon2's decoder.
    if (!parse_argon2(stored)) return fail(VerifyError::malformed_hash);
    const std::string encoded(stored);  // argon2_verify wants a C string
    // argon2_verify recomputes the tag and compares it in constant time.
    int rc = argon2_verify(encoded.c_str(), password.data(), password.size(), to_argon2_type(f));
    if (rc == ARGON2_OK) return true;
    if (rc == ARGON2_VERIFY_MISMATCH) return false;
    // Decoding errors, out-of-range params, and also allocation failure: the
    // caller can only answer "could not check" for any of them.
    return fail(VerifyError::malformed_hash);
}

}  // namespace detail

std::string hash_argon2id(std::string_view password, const Argon2Params& p) {
    std::string salt = crypto::random_bytes(kSaltBytes);
    const std::size_t len = argon2_encodedlen(p.t_cost, p.m_cost_kib, p.parallelism,
                                              static_cast<uint32_t>(salt.size()), kTagBytes, Argon2_id);
    std::string encoded(len, '\0');  // len counts the terminating NUL
    int rc = argon2id_hash_encoded(p.t_cost, p.m_cost_kib, p.parallelism, password.data(), password.size(),
                                   salt.data(), salt.size(), kTagBytes, encoded.data(), encoded.size());
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
    if (rc != ARGON2_OK) throw std::invalid_argument(argon2_error_message(rc));
    encoded.resize(encoded.find('\0'));
    return encoded;
}

const std::string& dummy_hash() {
    // A magic static: built once, on first use, thread-safely; immutable after.
    static const std::string hash = [] {
        std::string password = crypto::random_bytes(32);
        std::string h = hash_argon2id(password);
        detail::wipe(password);
        return h;
    }();
    return hash;
}

}  // namespace gk::password
