#include "server/worker.hpp"

namespace gk::server {
namespace {
gate::CredentialCache make_cache(const Shared& s) {
    const auto& lim = s.runtime->policy.limits;
    const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(lim.credential_cache_ttl);
    return gate::CredentialCache(s.cache_key, ttl.count() > 0 ? lim.credential_cache_entries : 0, ttl);  // sub-second TTL: off
}

gate::TokenCache make_token_cache(const Shared& s) {
    const auto& b = s.runtime->policy.bearer;
    return gate::TokenCache(b.token_cache_ttl.count() > 0 ? b.token_cache_entries : 0, b.token_cache_ttl);
}
}  // namespace

Worker::Worker(Shared& s) : shared(s), runtime(s.runtime), cache(make_cache(s)), tokens(make_token_cache(s)) {}

}  // namespace gk::server
