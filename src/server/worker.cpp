#include "server/worker.hpp"

namespace gk::server {
namespace {
constexpr std::size_t kCredentialCacheEntries = 10000;
constexpr std::chrono::seconds kCredentialCacheTtl{60};
}  // namespace

Worker::Worker(Shared& s) : shared(s), cache(s.cache_key, kCredentialCacheEntries, kCredentialCacheTtl) {}

}  // namespace gk::server
