// CSPRNG bytes. A failing RAND_bytes means the process cannot make secrets
// safely; that is an edge condition, so it throws rather than returning junk.
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::crypto {

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    std::size_t done = 0;
    while (done < n) {
        // RAND_bytes takes an int: fill huge requests in chunks.
        const std::size_t chunk = std::min<std::size_t>(n - done, INT_MAX);
        if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done), static_cast<int>(chunk)) != 1) {
            throw std::runtime_error("gk::crypto::random_bytes: RAND_bytes failed");
        }
        done += chunk;
    }
    return out;
}

}  // namespace gk::crypto
