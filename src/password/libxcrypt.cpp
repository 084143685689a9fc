// bcrypt, sha-crypt, yescrypt and legacy DES crypt through libxcrypt's reentrant crypt_rn().
#include <crypt.h>

#include <memory>

#include "gatekeeper/crypto/crypto.hpp"
#include "password/detail.hpp"

namespace gk::password::detail {
namespace {

bool well_formed(std::string_view stored, Format f) {
    switch (f) {
        case Format::bcrypt: return parse_bcrypt(stored).has_value();
        case Format::sha256_crypt:
        case Format::sha512_crypt: return parse_sha_crypt(stored).has_value();
        case Format::yescrypt: return parse_yescrypt(stored).has_value();
        case Format::des_crypt: return is_des_crypt(stored);
        default: return false;
    }
}

// crypt_data holds key schedules derived from the password: wipe it on the way out.
struct CryptDataDeleter {
    void operator()(crypt_data* d) const noexcept {
        explicit_bzero(d, sizeof *d);
        delete d;
    }
};

}  // namespace

Result<bool, VerifyError> verify_libxcrypt(std::string_view stored, std::string_view password) {
    if (!well_formed(stored, detect(stored))) return fail(VerifyError::malformed_hash);
    // crypt() takes C strings: a password with a NUL byte would be cut short and
    // could match a shorter password's hash. No stored hash can be for it.
    if (password.find('\0') != std::string_view::npos) return false;
    // libxcrypt refuses longer phrases outright; none of these hashes can match one.
    if (password.size() >= CRYPT_MAX_PASSPHRASE_SIZE) return false;

    // ~32 KiB: on the heap, not on a coroutine or worker stack.
    std::unique_ptr<crypt_data, CryptDataDeleter> data(new crypt_data{});
    std::string phrase(password);
    const std::string setting(stored);
    const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), static_cast<int>(sizeof *data));
    wipe(phrase);
    // NULL: libxcrypt rejected the setting (e.g. a salt with stray low bits).
    if (out == nullptr || out[0] == '*') return fail(VerifyError::malformed_hash);
    return crypto::ct_equal(out, stored);
}

}  // namespace gk::password::detail
