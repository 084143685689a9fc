#include "server/redis_nonce_counts.hpp"

namespace gk::server::redis_nonce_counts {
namespace {

// KEYS[1]: the nonce's count; ARGV[1]: nc; ARGV[2]: expiry in ms.
constexpr std::string_view kAdvanceScript = R"(
local n = tonumber(ARGV[1])
local seen = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= seen then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)";

// A nonce outlives its lifetime by at most the clock skew DigestNonces allows
// (5 s); a minute more leaves room for slow clocks between instances.
constexpr std::chrono::seconds kExpiryMargin{60};

}  // namespace

RedisCommand advance(std::string_view prefix, std::string_view nonce, std::uint32_t nc,
                     std::chrono::seconds nonce_lifetime) {
    const auto expiry = std::chrono::duration_cast<std::chrono::milliseconds>(nonce_lifetime + kExpiryMargin);
    return {"EVAL",
            std::string(kAdvanceScript),
            "1",
            std::string(prefix) + "digest:nc:" + std::string(nonce),
            std::to_string(nc),
            std::to_string(expiry.count())};
}

Result<bool, std::string> read_advance(const RedisResult& reply) {
    if (!reply) return fail(reply.error());
    if (reply->is_error()) return fail("redis: " + reply->str);
    if (reply->type != store::RedisReply::Type::integer || (reply->integer != 0 && reply->integer != 1))
        return fail(std::string("redis: unexpected reply to a nonce count"));
    return reply->integer == 1;
}

RedisCommand agree_key(std::string_view prefix, std::string_view candidate) {
    return {"SET", std::string(prefix) + "digest:nonce-key", std::string(candidate), "NX", "GET"};
}

Result<std::string, std::string> read_agreed_key(const RedisResult& reply, std::string_view candidate) {
    if (!reply) return fail(reply.error());
    if (reply->is_error()) return fail("redis: " + reply->str);
    if (reply->type == store::RedisReply::Type::nil) return std::string(candidate);
    if (reply->type != store::RedisReply::Type::string || reply->str.size() < candidate.size())
        return fail(std::string("redis: the stored Digest nonce key is not one gatekeeper wrote"));
    return reply->str;
}

}  // namespace gk::server::redis_nonce_counts
