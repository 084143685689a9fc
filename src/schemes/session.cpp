#include "gatekeeper/schemes/session.hpp"

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"

namespace gk::schemes {

Secret new_session_id() { return Secret(httpauth::base64url_encode(crypto::random_bytes(kSessionIdBytes))); }

bool looks_like_session_id(std::string_view value) noexcept {
    if (value.size() != kSessionIdChars) return false;
    for (char c : value) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::string session_id_hash(std::string_view id) {
    return crypto::to_hex(crypto::digest(crypto::DigestAlg::sha256, id));
}

std::string session_cookie_name(std::string_view prefix, bool secure) {
    return secure ? "__Host-" + std::string(prefix) : std::string(prefix);
}

std::string csrf_cookie_name(std::string_view prefix, bool secure) {
    return session_cookie_name(prefix, secure) + "-csrf";
}

}  // namespace gk::schemes
