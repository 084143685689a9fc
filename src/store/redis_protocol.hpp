#pragma once
// RESP, the Redis wire protocol, as values: hiredis formats commands and
// parses replies; the I/O is the caller's (server/redis_connection drives it
// from the Asio event loops). No sockets here, so it is unit-tested alone.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gatekeeper/common/result.hpp"

struct redisReader;

namespace gk::store {

struct RedisReply {
    enum class Type { string, array, integer, nil, status, error };
    Type type = Type::nil;
    std::string str;  // string, status and error replies
    long long integer = 0;
    std::vector<RedisReply> elements;

    [[nodiscard]] bool is_error() const { return type == Type::error; }
};

// One command in RESP (binary-safe arguments).
std::string redis_command(const std::vector<std::string>& args);

// Replies out of a byte stream: feed what was read, then take whole replies.
// A protocol error poisons the reader (the connection must be dropped).
class RedisReader {
public:
    RedisReader();
    ~RedisReader();
    RedisReader(const RedisReader&) = delete;
    RedisReader& operator=(const RedisReader&) = delete;

    [[nodiscard]] Result<Ok, std::string> feed(const char* data, std::size_t n);
    // nullopt: no whole reply buffered yet.
    [[nodiscard]] Result<std::optional<RedisReply>, std::string> next();

private:
    struct Free {
        void operator()(redisReader* r) const;
    };
    std::unique_ptr<redisReader, Free> reader_;
};

}  // namespace gk::store
