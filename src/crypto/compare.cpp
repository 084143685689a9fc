// Constant-time comparison for secrets (MACs, hashes, tokens).
#include <openssl/crypto.h>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::crypto {

bool ct_equal(std::string_view a, std::string_view b) noexcept {
    // Lengths of MACs and hashes are public; the content is not. Still compare
    // the content for unequal lengths (against itself) so the time spent does not
    // depend on where a mismatch would have been.
    if (a.size() != b.size()) {
        if (!a.empty()) (void)CRYPTO_memcmp(a.data(), a.data(), a.size());
        return false;
    }
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gk::crypto
