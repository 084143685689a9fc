#pragma once
// Brute-force counters in Redis, so that failures spread over several
// instances count as one. One sorted set per counter key: a failure is a
// member "<source>:<ms>:<random>" scored by its Unix milliseconds, so a
// summary is a ZCOUNT and the newest score, trimming drops what left the
// window, and forgetting one source is a short script. Sets expire with the
// window, so Redis forgets idle keys by itself, and are capped at
// MemoryAttemptStore's kMaxKept newest failures.
//
// The commands are built and read here; they are sent by RedisAttemptStore
// (blocking callers on the worker pool) or, on the event loops, through an
// AttemptView (attempt_view.hpp) that session.cpp fills before the gate runs.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/gate/attempts.hpp"
#include "server/redis_connection.hpp"

namespace gk::server {

namespace redis_attempts {
std::vector<RedisCommand> summary(std::string_view prefix, std::string_view key, std::int64_t since_ms);
// The replies to summary()'s commands (kSummaryReplies of them, in order).
constexpr std::size_t kSummaryReplies = 2;
Result<gate::AttemptSummary, std::string> read_summary(std::span<const RedisResult> replies);
std::vector<RedisCommand> add_failure(std::string_view prefix, std::string_view key, std::int64_t at_ms,
                                      std::uint64_t source, std::int64_t since_ms);
RedisCommand forget(std::string_view prefix, std::string_view key, std::uint64_t source);
// Any transport failure or Redis error among the replies, as one message.
Result<Ok, std::string> check(std::span<const RedisResult> replies);
}  // namespace redis_attempts

class RedisAttemptStore final : public gate::AttemptStore {
public:
    explicit RedisAttemptStore(std::shared_ptr<RedisClient> client, std::string prefix)
        : client_(std::move(client)), prefix_(std::move(prefix)) {}

    Result<gate::AttemptSummary, std::string> summary(std::string_view key, std::int64_t since_ms) override;
    Result<Ok, std::string> add_failure(std::string_view key, std::int64_t at_ms, std::uint64_t source,
                                        std::int64_t since_ms) override;
    Result<Ok, std::string> forget(std::string_view key, std::uint64_t source) override;

private:
    std::shared_ptr<RedisClient> client_;
    std::string prefix_;
};

}  // namespace gk::server
