#include "store/redis_protocol.hpp"

#include <hiredis/hiredis.h>

namespace gk::store {
namespace {

RedisReply convert(const redisReply& r) {
    RedisReply out;
    switch (r.type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::string; break;
    case REDIS_REPLY_ARRAY: out.type = RedisReply::Type::array; break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::integer; break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::status; break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::error; break;
    default: out.type = RedisReply::Type::nil; break;
    }
    if (r.str) out.str.assign(r.str, r.len);
    out.integer = r.integer;
    out.elements.reserve(r.elements);
    for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
    return out;
}

struct ReplyFree {
    void operator()(void* p) const { freeReplyObject(p); }
};

}  // namespace

std::string redis_command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    char* cmd = nullptr;
    const int n = redisFormatCommandArgv(&cmd, static_cast<int>(args.size()), argv.data(), lens.data());
    if (n < 0 || !cmd) return {};
    std::string out(cmd, static_cast<std::size_t>(n));
    redisFreeCommand(cmd);
    return out;
}

void RedisReader::Free::operator()(redisReader* r) const { redisReaderFree(r); }

RedisReader::RedisReader() : reader_(redisReaderCreate()) {}
RedisReader::~RedisReader() = default;

Result<Ok, std::string> RedisReader::feed(const char* data, std::size_t n) {
    if (!reader_) return fail(std::string("redis reader could not be created"));
    if (redisReaderFeed(reader_.get(), data, n) != REDIS_OK)
        return fail(std::string("redis protocol error: ") + reader_->errstr);
    return Ok{};
}

Result<std::optional<RedisReply>, std::string> RedisReader::next() {
    if (!reader_) return fail(std::string("redis reader could not be created"));
    void* raw = nullptr;
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK)
        return fail(std::string("redis protocol error: ") + reader_->errstr);
    if (!raw) return std::optional<RedisReply>{};
    std::unique_ptr<void, ReplyFree> owned(raw);
    return std::optional<RedisReply>{convert(*static_cast<redisReply*>(raw))};
}

}  // namespace gk::store
