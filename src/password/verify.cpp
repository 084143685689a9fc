// verify(): pick the format, refuse what is malformed or too costly, then hash.
#include "password/detail.hpp"

namespace gk::password {

Result<bool, VerifyError> verify(std::string_view stored, std::string_view password) {
    const Format f = detect(stored);
    if (f == Format::unknown) return fail(VerifyError::unsupported_format);
    // A stored hash is file data: its work factor is capped before any hashing.
    if (!cost_reasonable(stored)) return fail(VerifyError::malformed_hash);
    switch (f) {
        case Format::argon2id:
        case Format::argon2i:
        case Format::argon2d:
            return detail::verify_argon2(stored, password, f);
        case Format::bcrypt:
        case Format::sha256_crypt:
        case Format::sha512_crypt:
        case Format::yescrypt:
        case Format::des_crypt:
            return detail::verify_libxcrypt(stored, password);
        case Format::apr1:
            return detail::verify_apr1(stored, password);
        case Format::sha1:
            return detail::verify_sha1(stored, password);
        case Format::unknown:
            break;
    }
    return fail(VerifyError::unsupported_format);
}

}  // namespace gk::password
