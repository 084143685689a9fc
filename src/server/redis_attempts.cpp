#include "server/redis_attempts.hpp"

#include <charconv>

#include "gatekeeper/crypto/crypto.hpp"
#include "store/memory_attempt_store.hpp"

namespace gk::server {
namespace redis_attempts {
namespace {

std::string key_of(std::string_view prefix, std::string_view key) {
    std::string k(prefix);
    k += "bf:";
    k += key;
    return k;
}

// Drops the members whose source prefix matches: a success forgets only what
// this client address did against this name.
constexpr std::string_view kForgetScript = R"(
local p = ARGV[1] .. ':'
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #p) == p then
    redis.call('ZREM', KEYS[1], m)
    n = n + 1
  end
end
return n
)";

bool to_int64(std::string_view s, std::int64_t& out) {
    // Scores come back as text and may carry a fraction or an exponent ("1.7e+12").
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
    out = static_cast<std::int64_t>(d);
    return true;
}

}  // namespace

std::vector<RedisCommand> summary(std::string_view prefix, std::string_view key, std::int64_t since_ms) {
    const auto k = key_of(prefix, key);
    return {{"ZCOUNT", k, std::to_string(since_ms), "+inf"}, {"ZRANGE", k, "-1", "-1", "WITHSCORES"}};
}

Result<Ok, std::string> check(std::span<const RedisResult> replies) {
    for (const auto& r : replies) {
        if (!r) return fail(r.error());
        if (r->is_error()) return fail("redis: " + r->str);
    }
    return Ok{};
}

Result<gate::AttemptSummary, std::string> read_summary(std::span<const RedisResult> replies) {
    if (replies.size() != kSummaryReplies) return fail(std::string("redis: unexpected number of replies"));
    if (auto c = check(replies); !c) return fail(c.error());
    const auto& count = *replies[0];
    const auto& newest = *replies[1];
    if (count.type != store::RedisReply::Type::integer || newest.type != store::RedisReply::Type::array)
        return fail(std::string("redis: unexpected reply to a counter summary"));
    gate::AttemptSummary s;
    s.failures = static_cast<std::uint32_t>(std::max<long long>(count.integer, 0));
    if (s.failures > 0) {
        if (newest.elements.size() != 2 || !to_int64(newest.elements[1].str, s.newest_ms))
            return fail(std::string("redis: unexpected reply to a counter summary"));
    }
    return s;
}

std::vector<RedisCommand> add_failure(std::string_view prefix, std::string_view key, std::int64_t at_ms,
                                      std::uint64_t source, std::int64_t since_ms) {
    const auto k = key_of(prefix, key);
    const auto member = std::to_string(source) + ":" + std::to_string(at_ms) + ":" + crypto::to_hex(crypto::random_bytes(6));
    const auto keep = static_cast<long long>(store::MemoryAttemptStore::kMaxKept);
    const auto ttl_ms = std::max<std::int64_t>(at_ms - since_ms, 0) + 1000;
    return {{"ZREMRANGEBYSCORE", k, "-inf", "(" + std::to_string(since_ms)},
            {"ZADD", k, std::to_string(at_ms), member},
            {"ZREMRANGEBYRANK", k, "0", std::to_string(-(keep + 1))},
            {"PEXPIRE", k, std::to_string(ttl_ms)}};
}

RedisCommand forget(std::string_view prefix, std::string_view key, std::uint64_t source) {
    return {"EVAL", std::string(kForgetScript), "1", key_of(prefix, key), std::to_string(source)};
}

}  // namespace redis_attempts

Result<gate::AttemptSummary, std::string> RedisAttemptStore::summary(std::string_view key, std::int64_t since_ms) {
    return redis_attempts::read_summary(client_->run(redis_attempts::summary(prefix_, key, since_ms)));
}

Result<Ok, std::string> RedisAttemptStore::add_failure(std::string_view key, std::int64_t at_ms, std::uint64_t source,
                                                       std::int64_t since_ms) {
    return redis_attempts::check(client_->run(redis_attempts::add_failure(prefix_, key, at_ms, source, since_ms)));
}

Result<Ok, std::string> RedisAttemptStore::forget(std::string_view key, std::uint64_t source) {
    std::vector<RedisCommand> one{redis_attempts::forget(prefix_, key, source)};
    return redis_attempts::check(client_->run(std::move(one)));
}

}  // namespace gk::server
