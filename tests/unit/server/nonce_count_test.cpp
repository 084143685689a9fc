// Digest nonce counts across instances: the view the gate asks (nothing
// fetched means fail closed), and the Redis script against a real
// redis-server, in one conformance suite with the in-memory store, so one
// instance and a cluster refuse the same replays.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "redis_test_server.hpp"
#include "server/nonce_count_view.hpp"
#include "server/redis_nonce_counts.hpp"

namespace gk::server {
namespace {

using namespace std::chrono_literals;

const auto kT0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

// ---- the view -----------------------------------------------------------------

TEST(NonceCountView, AnUnfetchedCountIsAnErrorAndIsRecordedAsMissing) {
    NonceCountView view;
    auto r = view.advance("n1", 1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), NonceCountView::kNotFetched);
    auto missing = view.take_missing();
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].nonce, "n1");
    EXPECT_EQ(missing[0].nc, 1u);
    EXPECT_TRUE(view.take_missing().empty()) << "taken once";
}

TEST(NonceCountView, AnswersAreKeptPerNonceAndCount) {
    NonceCountView view;
    view.answer({"n1", 1}, true);
    view.answer({"n1", 2}, false);
    view.answer({"n2", 1}, fail(std::string("redis: down")));
    EXPECT_TRUE(*view.advance("n1", 1));
    EXPECT_FALSE(*view.advance("n1", 2));
    EXPECT_FALSE(view.advance("n2", 1).ok()) << "a store error stays an error";
    EXPECT_FALSE(view.advance("n1", 3).ok()) << "another count is not answered";
    EXPECT_EQ(view.take_missing().size(), 1u);
}

TEST(NonceCountView, CountZeroIsRefusedWithoutAsking) {
    NonceCountView view;
    auto r = view.advance("n1", 0);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(*r);
    EXPECT_TRUE(view.take_missing().empty());
}

// ---- replies ------------------------------------------------------------------

store::RedisReply integer(long long n) {
    store::RedisReply r;
    r.type = store::RedisReply::Type::integer;
    r.integer = n;
    return r;
}

store::RedisReply typed(store::RedisReply::Type t, std::string s = {}) {
    store::RedisReply r;
    r.type = t;
    r.str = std::move(s);
    return r;
}

TEST(RedisNonceCounts, RepliesAreReadStrictly) {
    using T = store::RedisReply::Type;
    EXPECT_TRUE(*redis_nonce_counts::read_advance(integer(1)));
    EXPECT_FALSE(*redis_nonce_counts::read_advance(integer(0)));
    EXPECT_FALSE(redis_nonce_counts::read_advance(integer(2)).ok());
    EXPECT_FALSE(redis_nonce_counts::read_advance(typed(T::nil)).ok());
    EXPECT_FALSE(redis_nonce_counts::read_advance(typed(T::error, "NOSCRIPT")).ok());
    EXPECT_FALSE(redis_nonce_counts::read_advance(fail(std::string("timeout"))).ok());

    const std::string candidate(64, 'a');
    EXPECT_EQ(*redis_nonce_counts::read_agreed_key(typed(T::nil), candidate), candidate) << "ours was stored";
    const std::string theirs(64, 'b');
    EXPECT_EQ(*redis_nonce_counts::read_agreed_key(typed(T::string, theirs), candidate), theirs);
    EXPECT_FALSE(redis_nonce_counts::read_agreed_key(typed(T::string, "short"), candidate).ok())
        << "a key shorter than ours was not written by gatekeeper";
    EXPECT_FALSE(redis_nonce_counts::read_agreed_key(typed(T::error, "WRONGTYPE"), candidate).ok());
    EXPECT_FALSE(redis_nonce_counts::read_agreed_key(fail(std::string("timeout")), candidate).ok());
}

// ---- one conformance suite: memory and Redis ----------------------------------

// The Redis store as session.cpp uses it: the view's question, the script, the reply.
class RedisCounts final : public schemes::NonceCountStore {
public:
    RedisCounts(std::shared_ptr<RedisClient> client, std::string prefix)
        : client_(std::move(client)), prefix_(std::move(prefix)) {}
    Result<bool, std::string> advance(std::string_view nonce, std::uint32_t nc) override {
        NonceCountView view;
        auto first = view.advance(nonce, nc);
        auto missing = view.take_missing();
        if (missing.empty()) return first;
        std::vector<RedisCommand> commands{
            redis_nonce_counts::advance(prefix_, missing[0].nonce, missing[0].nc, 300s)};
        view.answer(missing[0], redis_nonce_counts::read_advance(client_->run(std::move(commands)).at(0)));
        return view.advance(nonce, nc);
    }

private:
    std::shared_ptr<RedisClient> client_;
    std::string prefix_;
};

struct Backend {
    std::string name;
    std::function<std::shared_ptr<schemes::NonceCountStore>()> make;
};

void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class NonceCountConformance : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        store_ = GetParam().make();
        ASSERT_TRUE(store_) << "the " << GetParam().name << " store could not be made";
    }
    // A fresh genuine nonce per call: a shared Redis keeps what earlier cases wrote.
    std::string nonce() { return nonces_.issue(kT0 + std::chrono::milliseconds(++issued_)); }
    schemes::NonceCountStore& store() { return *store_; }

    std::shared_ptr<schemes::NonceCountStore> store_;
    schemes::DigestNonces nonces_{
        std::string(32, 'k') + std::to_string(::getpid()) +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()),
        300s};
    int issued_ = 0;
};

bool yes(const Result<bool, std::string>& r) { return r.ok() && *r; }
bool no(const Result<bool, std::string>& r) { return r.ok() && !*r; }

TEST_P(NonceCountConformance, EachCountIsAcceptedOnceAndNeverBackwards) {
    const auto a = nonce();
    EXPECT_TRUE(yes(store().advance(a, 1)));
    EXPECT_TRUE(yes(store().advance(a, 2)));
    EXPECT_TRUE(no(store().advance(a, 2))) << "replayed";
    EXPECT_TRUE(no(store().advance(a, 1))) << "lower";
    EXPECT_TRUE(yes(store().advance(a, 10))) << "gaps are fine (a lost request)";
    EXPECT_TRUE(no(store().advance(a, 9))) << "but never back";
    EXPECT_TRUE(yes(store().advance(a, 0xFFFFFFFFu)));
    EXPECT_TRUE(no(store().advance(a, 0xFFFFFFFFu)));
}

TEST_P(NonceCountConformance, NoncesCountApart) {
    const auto a = nonce(), b = nonce();
    EXPECT_TRUE(yes(store().advance(a, 5)));
    EXPECT_TRUE(yes(store().advance(b, 1)));
    EXPECT_TRUE(no(store().advance(a, 5)));
    EXPECT_TRUE(yes(store().advance(b, 2)));
}

TEST_P(NonceCountConformance, CountZeroIsRefused) { EXPECT_TRUE(no(store().advance(nonce(), 0))); }

TEST_P(NonceCountConformance, RacingSameCountHasOneWinner) {
    // Two instances (threads, each with its own store object) handed one
    // recorded request at once: it is accepted exactly once.
    for (int round = 0; round < 20; ++round) {
        auto other = GetParam().make();
        const auto a = nonce();
        std::atomic<int> accepted{0};
        std::thread t([&] { accepted += yes(other->advance(a, 1)) ? 1 : 0; });
        accepted += yes(store().advance(a, 1)) ? 1 : 0;
        t.join();
        // (The memory store is one per process: there "the other" is the same object.)
        EXPECT_EQ(accepted.load(), 1);
    }
}

std::shared_ptr<schemes::MemoryNonceCountStore> shared_memory() {
    static auto one = std::make_shared<schemes::MemoryNonceCountStore>(1000);
    return one;
}

INSTANTIATE_TEST_SUITE_P(Stores, NonceCountConformance,
                         ::testing::Values(Backend{"memory", [] { return shared_memory(); }},
                                           Backend{"redis",
                                                   []() -> std::shared_ptr<schemes::NonceCountStore> {
                                                       if (!testing::RedisServer::get().up()) return nullptr;
                                                       auto s = testing::redis_settings();
                                                       return std::make_shared<RedisCounts>(
                                                           std::make_shared<RedisClient>(s), "gk-nc:");
                                                   }}),
                         [](const ::testing::TestParamInfo<Backend>& i) { return i.param.name; });

TEST(RedisNonceCounts, CountsExpireAfterTheNonceLifetime) {
    ASSERT_TRUE(testing::RedisServer::get().up());
    RedisClient client(testing::redis_settings());
    std::vector<RedisCommand> commands{redis_nonce_counts::advance("gk-exp:", "nonce-x", 1, 300s),
                                       {"PTTL", "gk-exp:digest:nc:nonce-x"}};
    auto replies = client.run(std::move(commands));
    ASSERT_TRUE(yes(redis_nonce_counts::read_advance(replies.at(0))));
    ASSERT_TRUE(replies.at(1).ok());
    EXPECT_GT(replies[1]->integer, 300'000) << "outlives the nonce";
    EXPECT_LE(replies[1]->integer, 360'000) << "but not by more than the margin";
}

TEST(RedisNonceCounts, TheFirstInstanceSetsTheKeyAndLaterOnesReadIt) {
    ASSERT_TRUE(testing::RedisServer::get().up());
    RedisClient a(testing::redis_settings()), b(testing::redis_settings());
    const std::string prefix = "gk-key-" + std::to_string(::getpid()) + ":";
    const std::string mine(64, '1'), yours(64, '2');
    std::vector<RedisCommand> first{redis_nonce_counts::agree_key(prefix, mine)};
    std::vector<RedisCommand> second{redis_nonce_counts::agree_key(prefix, yours)};
    auto k1 = redis_nonce_counts::read_agreed_key(a.run(std::move(first)).at(0), mine);
    auto k2 = redis_nonce_counts::read_agreed_key(b.run(std::move(second)).at(0), yours);
    ASSERT_TRUE(k1.ok()) << k1.error();
    ASSERT_TRUE(k2.ok()) << k2.error();
    EXPECT_EQ(*k1, mine);
    EXPECT_EQ(*k2, mine) << "the second instance signs with the first one's key";
}

TEST(RedisNonceCounts, NoServerIsAnError) {
    auto s = testing::redis_settings();
    s.redis_port = static_cast<std::uint16_t>(gk::testing::free_port());  // nobody listens
    s.redis_timeout = 200ms;
    RedisCounts store(std::make_shared<RedisClient>(s), "gk:");
    EXPECT_FALSE(store.advance("n", 1).ok()) << "fail closed: the gate answers 503";
}

}  // namespace
}  // namespace gk::server
