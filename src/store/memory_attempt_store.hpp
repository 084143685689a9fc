#pragma once
// Failure counters in process memory: the zero-set-up default for one
// instance (a shared store replaces it for several). Thread-safe; sharded so
// that worker threads rarely wait for each other. Bounded: at most max_keys
// keys and kMaxKept failures per key, so a flood of made-up user names or
// addresses costs a fixed amount of memory; when full, keys whose failures
// have all left the window go first, then the one with the fewest failures.
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gatekeeper/gate/attempts.hpp"

namespace gk::store {

class MemoryAttemptStore final : public gate::AttemptStore {
public:
    explicit MemoryAttemptStore(std::size_t max_keys = 100'000);

    Result<gate::AttemptSummary, std::string> summary(std::string_view key, std::int64_t since_ms) override;
    Result<Ok, std::string> add_failure(std::string_view key, std::int64_t at_ms, std::uint64_t source,
                                        std::int64_t since_ms) override;
    Result<Ok, std::string> forget(std::string_view key, std::uint64_t source) override;

    [[nodiscard]] bool may_hold_failures() const noexcept override { return size() != 0; }
    [[nodiscard]] std::size_t size() const noexcept { return keys_.load(std::memory_order_relaxed); }

    // Beyond this many failures in the window a key is locked for the maximum anyway.
    static constexpr std::size_t kMaxKept = 128;

private:
    struct Failure {
        std::int64_t at_ms;
        std::uint64_t source;
    };
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, std::vector<Failure>, StringHash, std::equal_to<>> keys;
    };
    static constexpr std::size_t kShards = 16;

    Shard& shard_for(std::string_view key);
    void make_room(Shard& s, std::int64_t since_ms);

    std::size_t max_per_shard_;
    std::array<Shard, kShards> shards_;
    std::atomic<std::size_t> keys_{0};
};

}  // namespace gk::store
