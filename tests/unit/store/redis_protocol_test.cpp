// RESP through hiredis: commands as bytes, replies out of a byte stream that
// arrives in arbitrary pieces, and a malformed stream reported, not guessed at.
#include <gtest/gtest.h>

#include <cstring>

#include "store/redis_protocol.hpp"

namespace gk::store {
namespace {

TEST(RedisProtocol, CommandsAreBinarySafe) {
    EXPECT_EQ(redis_command({"PING"}), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(redis_command({"SET", "k", std::string("a\r\nb\0c", 6)}),
              std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\na\r\nb\0c\r\n", 32));
    EXPECT_EQ(redis_command({"GET", ""}), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
}

TEST(RedisProtocol, EveryReplyType) {
    const struct {
        const char* wire;
        RedisReply::Type type;
        const char* str;
        long long integer;
        std::size_t elements;
    } cases[] = {
        {"+OK\r\n", RedisReply::Type::status, "OK", 0, 0},
        {"-ERR wrong type\r\n", RedisReply::Type::error, "ERR wrong type", 0, 0},
        {":42\r\n", RedisReply::Type::integer, "", 42, 0},
        {":-7\r\n", RedisReply::Type::integer, "", -7, 0},
        {"$5\r\nhello\r\n", RedisReply::Type::string, "hello", 0, 0},
        {"$0\r\n\r\n", RedisReply::Type::string, "", 0, 0},
        {"$-1\r\n", RedisReply::Type::nil, "", 0, 0},
        {"*-1\r\n", RedisReply::Type::nil, "", 0, 0},
        {"*0\r\n", RedisReply::Type::array, "", 0, 0},
        {"*2\r\n$1\r\na\r\n:3\r\n", RedisReply::Type::array, "", 0, 2},
    };
    for (const auto& c : cases) {
        RedisReader r;
        ASSERT_TRUE(r.feed(c.wire, std::strlen(c.wire)).ok()) << c.wire;
        auto got = r.next();
        ASSERT_TRUE(got.ok()) << c.wire;
        ASSERT_TRUE(got->has_value()) << c.wire;
        const auto& v = **got;
        EXPECT_EQ(v.type, c.type) << c.wire;
        EXPECT_EQ(v.str, c.str) << c.wire;
        EXPECT_EQ(v.integer, c.integer) << c.wire;
        EXPECT_EQ(v.elements.size(), c.elements) << c.wire;
        auto none = r.next();
        ASSERT_TRUE(none.ok());
        EXPECT_FALSE(none->has_value()) << c.wire;
    }
}

TEST(RedisProtocol, RepliesSplitAnywhereAndPipelined) {
    const std::string wire = "*2\r\n$3\r\nabc\r\n:12\r\n+PONG\r\n$-1\r\n";
    for (std::size_t step = 1; step <= wire.size(); ++step) {
        RedisReader r;
        std::vector<RedisReply> got;
        for (std::size_t at = 0; at < wire.size(); at += step) {
            ASSERT_TRUE(r.feed(wire.data() + at, std::min(step, wire.size() - at)).ok());
            for (;;) {
                auto n = r.next();
                ASSERT_TRUE(n.ok());
                if (!*n) break;
                got.push_back(std::move(**n));
            }
        }
        ASSERT_EQ(got.size(), 3u) << "step " << step;
        EXPECT_EQ(got[0].elements[0].str, "abc");
        EXPECT_EQ(got[0].elements[1].integer, 12);
        EXPECT_EQ(got[1].str, "PONG");
        EXPECT_EQ(got[2].type, RedisReply::Type::nil);
    }
}

TEST(RedisProtocol, GarbageIsAnError) {
    for (const char* wire : {"?what\r\n", ":12x\r\n", "$abc\r\n"}) {
        RedisReader r;
        auto fed = r.feed(wire, std::strlen(wire));
        if (!fed) continue;  // refused at once is as good
        auto n = r.next();
        EXPECT_FALSE(n.ok()) << wire;
    }
}

}  // namespace
}  // namespace gk::store
