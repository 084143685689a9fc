#pragma once
// Digest across instances, in Redis: the nonce key every instance signs its
// nonces with, and each nonce's highest accepted count.
//
// The key is agreed with one SET NX GET: the first instance to start stores
// its random candidate, every later one reads that. It is not a credential
// (a nonce proves only that this gateway issued it), but whoever can write
// to Redis can replace it, as they could reset the counts anyway.
//
// A count is advanced by a script, atomically: two instances handed the same
// (nonce, nc) at once accept it once. The key expires after the nonce lifetime
// plus a margin, by which time check() calls the nonce stale anyway.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/redis_connection.hpp"

namespace gk::server::redis_nonce_counts {

RedisCommand advance(std::string_view prefix, std::string_view nonce, std::uint32_t nc,
                     std::chrono::seconds nonce_lifetime);
// true: this nc is new and now recorded; false: replayed or out of order.
Result<bool, std::string> read_advance(const RedisResult& reply);

RedisCommand agree_key(std::string_view prefix, std::string_view candidate);
// The key in force: the stored one, or `candidate` when this call stored it.
Result<std::string, std::string> read_agreed_key(const RedisResult& reply, std::string_view candidate);

}  // namespace gk::server::redis_nonce_counts
