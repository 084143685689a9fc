#include "gatekeeper/gate/token_cache.hpp"

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::gate {

std::string TokenCache::key_for(std::string_view token) {
    return crypto::digest(crypto::DigestAlg::sha256, token);
}

}  // namespace gk::gate
