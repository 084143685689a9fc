#pragma once
// A bounded map with per-entry expiry and least-recently-used eviction. Not
// thread-safe: the caches built on it live one per worker thread. Key is a
// string (an HMAC or digest) or an integer (a keyed hash, the entry then
// holding what it must be compared with).
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace gk::gate {

template <class Value, class Clock, class Key = std::string>
class LruCache {
public:
    using time_point = typename Clock::time_point;

    explicit LruCache(std::size_t capacity) : capacity_(capacity) {}

    // The live entry for `key`, marked most recent; nullptr when absent or expired.
    Value* find(const Key& key, time_point now) {
        auto it = index_.find(key);
        if (it == index_.end()) return nullptr;
        if (it->second->expires <= now) {
            lru_.erase(it->second);
            index_.erase(it);
            return nullptr;
        }
        lru_.splice(lru_.begin(), lru_, it->second);
        return &it->second->value;
    }

    void put(const Key& key, Value value, time_point expires) {
        if (capacity_ == 0) return;
        auto it = index_.find(key);
        if (it != index_.end()) {
            it->second->value = std::move(value);
            it->second->expires = expires;
            lru_.splice(lru_.begin(), lru_, it->second);
            return;
        }
        while (index_.size() >= capacity_) {
            index_.erase(lru_.back().key);
            lru_.pop_back();
        }
        lru_.push_front(Entry{key, std::move(value), expires});
        index_.emplace(key, lru_.begin());
    }

    [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }

private:
    struct Entry {
        Key key;
        Value value;
        time_point expires;
    };
    std::size_t capacity_;
    std::list<Entry> lru_;  // front = most recent
    std::unordered_map<Key, typename std::list<Entry>::iterator> index_;
};

}  // namespace gk::gate
