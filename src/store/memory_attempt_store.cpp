#include "store/memory_attempt_store.hpp"

#include <algorithm>

namespace gk::store {

MemoryAttemptStore::MemoryAttemptStore(std::size_t max_keys)
    : max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

MemoryAttemptStore::Shard& MemoryAttemptStore::shard_for(std::string_view key) {
    return shards_[std::hash<std::string_view>{}(key) % kShards];
}

Result<gate::AttemptSummary, std::string> MemoryAttemptStore::summary(std::string_view key, std::int64_t since_ms) {
    gate::AttemptSummary out;
    // Almost every request meets an empty store: no lock then.
    if (!may_hold_failures()) return out;
    auto& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    auto it = s.keys.find(key);
    if (it == s.keys.end()) return out;
    for (const auto& f : it->second) {
        if (f.at_ms < since_ms) continue;
        ++out.failures;
        out.newest_ms = std::max(out.newest_ms, f.at_ms);
    }
    return out;
}

void MemoryAttemptStore::make_room(Shard& s, std::int64_t since_ms) {
    std::size_t removed = 0;
    std::erase_if(s.keys, [&](const auto& kv) {
        const bool stale = kv.second.empty() || kv.second.back().at_ms < since_ms;
        removed += stale ? 1 : 0;
        return stale;
    });
    if (s.keys.size() >= max_per_shard_) {
        // The key with the fewest failures goes first, so a flood of made-up
        // names cannot push a real lock-out out of memory.
        auto weakest = std::min_element(s.keys.begin(), s.keys.end(), [](const auto& a, const auto& b) {
            if (a.second.size() != b.second.size()) return a.second.size() < b.second.size();
            return a.second.back().at_ms < b.second.back().at_ms;
        });
        s.keys.erase(weakest);
        ++removed;
    }
    keys_.fetch_sub(removed, std::memory_order_relaxed);
}

Result<Ok, std::string> MemoryAttemptStore::add_failure(std::string_view key, std::int64_t at_ms,
                                                        std::uint64_t source, std::int64_t since_ms) {
    auto& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    auto it = s.keys.find(key);
    if (it == s.keys.end()) {
        if (s.keys.size() >= max_per_shard_) make_room(s, since_ms);
        it = s.keys.emplace(std::string(key), std::vector<Failure>{}).first;
        keys_.fetch_add(1, std::memory_order_relaxed);
    }
    auto& v = it->second;
    std::erase_if(v, [&](const Failure& f) { return f.at_ms < since_ms; });
    if (v.size() >= kMaxKept) v.erase(v.begin());
    // Kept in time order: the newest is last (make_room relies on it).
    v.push_back({std::max(at_ms, v.empty() ? at_ms : v.back().at_ms), source});
    return Ok{};
}

Result<Ok, std::string> MemoryAttemptStore::forget(std::string_view key, std::uint64_t source) {
    if (!may_hold_failures()) return Ok{};
    auto& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    auto it = s.keys.find(key);
    if (it == s.keys.end()) return Ok{};
    std::erase_if(it->second, [&](const Failure& f) { return f.source == source; });
    if (it->second.empty()) {
        s.keys.erase(it);
        keys_.fetch_sub(1, std::memory_order_relaxed);
    }
    return Ok{};
}

}  // namespace gk::store
