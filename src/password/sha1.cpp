// Apache's "{SHA}" lines: base64(SHA-1(password)), no salt. Verify-only.
#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "password/detail.hpp"

namespace gk::password::detail {

Result<bool, VerifyError> verify_sha1(std::string_view stored, std::string_view password) {
    constexpr std::string_view kPrefix = "{SHA}";
    constexpr std::size_t kSha1Bytes = 20;
    // Strict decoding: one stored form per digest, so the comparison below is
    // of raw digests and no alternative spelling slips through.
    auto expected = httpauth::base64_decode(stored.substr(kPrefix.size()));
    if (!expected || expected->size() != kSha1Bytes) return fail(VerifyError::malformed_hash);
    return crypto::ct_equal(crypto::digest(crypto::DigestAlg::sha1, password), *expected);
}

}  // namespace gk::password::detail
