// The PostgreSQL issuer store against a real server (pg_test_server.hpp):
// the shared conformance suite, then what only a shared server has: races
// between instances, parallel start-ups, and the server going away.
// Every suite here starts with "Pg": CTest runs them in one process (one
// server), apart from the per-test processes of the other store tests.
#include "store/pg_issuer_store.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <latch>
#include <thread>

#include "issuer_store_conformance.hpp"
#include "pg_test_server.hpp"
#include "store/pg_schema.hpp"

namespace gk::store {
namespace {
using test::fresh_database;
using test::PgTestServer;
using test::scalar;
using Kind = issuer::StoreFailure::Kind;
using issuer::RotateOutcome;
using Clock = std::chrono::steady_clock;

const auto* const pg_environment = ::testing::AddGlobalTestEnvironment(new test::PgServerEnvironment);

std::unique_ptr<PgIssuerStore> open_ok(const std::string& conninfo, PgOptions options = test::pg_test_options()) {
    auto r = PgIssuerStore::open(conninfo, options);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    return r.ok() ? std::move(r).value() : nullptr;
}

// The shared suite on PostgreSQL: each fresh() is a new database.
class PgBackend final : public test::IssuerStoreBackend {
public:
    [[nodiscard]] std::string name() const override { return "postgres"; }
    std::unique_ptr<issuer::IssuerStore> fresh() override {
        conninfo_ = fresh_database();
        if (conninfo_.empty()) return nullptr;
        return open_ok(conninfo_);
    }
    std::unique_ptr<issuer::IssuerStore> another() override {
        if (conninfo_.empty()) return nullptr;
        return open_ok(conninfo_);
    }

private:
    std::string conninfo_;
};

using test::IssuerStoreConformance;
PgBackend pg_backend;
INSTANTIATE_TEST_SUITE_P(Pg, IssuerStoreConformance, ::testing::Values(&pg_backend));

issuer::RefreshToken refresh(std::string hash, std::string family) {
    return {std::move(hash), std::move(family), "app", "alice", "openid", 100, 100'000};
}

issuer::RefreshToken next_token(std::string hash) {
    issuer::RefreshToken t;
    t.token_hash = std::move(hash);
    return t;
}

// A call that must fail: its kind (`exists`, which no test here expects, if it did not).
template <class T>
Kind kind_of_failure(const issuer::StoreResult<T>& r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? Kind::exists : r.error().kind;
}

// A loopback port of our own where no PostgreSQL is: a socket bound to it,
// listening (the kernel completes handshakes, nobody ever answers) or not
// (connections are refused). Closed with the object.
class NoServerPort {
public:
    explicit NoServerPort(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            (!listening || ::listen(fd_, 4) == 0) &&
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
            port_ = ntohs(a.sin_port);
    }
    ~NoServerPort() { ::close(fd_); }
    NoServerPort(const NoServerPort&) = delete;
    NoServerPort& operator=(const NoServerPort&) = delete;
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string conninfo() const {
        return "host=127.0.0.1 user=postgres dbname=postgres port=" + std::to_string(port_);
    }

private:
    int fd_;
    int port_ = 0;
};

// Two instances (two stores, two pools) rotate one token at the same moment,
// round after round: the row lock lets exactly one rotate, and the other
// sees a used token (reuse) and revokes the family.
TEST(PgIssuerStore, RacingRotationsAcrossTwoPoolsHaveOneWinner) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto a = open_ok(db);
    auto b = open_ok(db);
    ASSERT_TRUE(a && b);
    for (int round = 0; round < 150; ++round) {
        const std::string fam = "fam-" + std::to_string(round);
        ASSERT_TRUE(a->save_refresh(refresh(fam + "-t0", fam)).ok());
        std::array<RotateOutcome, 2> got{RotateOutcome::unknown, RotateOutcome::unknown};
        std::atomic<int> errors{0};
        std::latch start(2);
        auto rotate = [&](PgIssuerStore* s, int i) {
            start.arrive_and_wait();
            auto r = s->rotate_refresh(fam + "-t0", next_token(fam + "-n" + std::to_string(i)), 200);
            if (!r)
                ++errors;
            else
                got[static_cast<std::size_t>(i)] = r->outcome;
        };
        std::thread t1(rotate, a.get(), 0), t2(rotate, b.get(), 1);
        t1.join();
        t2.join();
        ASSERT_EQ(errors.load(), 0) << "round " << round;
        EXPECT_EQ((got[0] == RotateOutcome::rotated) + (got[1] == RotateOutcome::rotated), 1)
            << "round " << round;
        EXPECT_EQ((got[0] == RotateOutcome::reused) + (got[1] == RotateOutcome::reused), 1)
            << "round " << round;
        auto t0 = a->find_refresh(fam + "-t0");
        ASSERT_TRUE(t0.ok() && t0->has_value());
        EXPECT_TRUE((*t0)->revoked) << "round " << round;
    }
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM refresh_tokens"), "300") << "one new token per round";
}

// Instances starting together on an empty database each try to make the
// first signing key: exactly one does, and every instance then has the same ring.
TEST(PgIssuerStore, RacingFirstSigningKeysHaveOneWinner) {
    for (int round = 0; round < 10; ++round) {
        const auto db = fresh_database();
        ASSERT_FALSE(db.empty());
        constexpr int kInstances = 4;
        std::vector<std::unique_ptr<PgIssuerStore>> stores;
        for (int i = 0; i < kInstances; ++i) stores.push_back(open_ok(db));
        std::latch start(kInstances);
        std::atomic<int> added{0}, errors{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < kInstances; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                auto r = stores[static_cast<std::size_t>(i)]->add_first_signing_key(
                    {"k" + std::to_string(i), "ES256", "{}", 1, 1, 0});
                if (!r) ++errors;
                else if (*r) ++added;
            });
        }
        for (auto& t : threads) t.join();
        EXPECT_EQ(errors.load(), 0) << "round " << round;
        EXPECT_EQ(added.load(), 1) << "round " << round;
        EXPECT_EQ(scalar(db, "SELECT count(*) FROM signing_keys"), "1") << "round " << round;
    }
}

// Instances starting together on an empty database: every open() succeeds
// and the schema is applied once.
TEST(PgIssuerStore, ParallelOpensMigrateOnce) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    constexpr int kInstances = 4;
    std::latch start(kInstances);
    std::atomic<int> opened{0};
    std::vector<std::string> errors(kInstances);
    std::vector<std::thread> threads;
    for (int i = 0; i < kInstances; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            auto r = PgIssuerStore::open(db, test::pg_test_options());
            if (r)
                ++opened;
            else
                errors[static_cast<std::size_t>(i)] = r.error();
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    EXPECT_EQ(opened.load(), kInstances);
    // Each migration applied once, up to the last.
    const auto all = pg_issuer_schema();
    const std::string applied = std::to_string(all.size()) + " " + std::to_string(all.back().version);
    EXPECT_EQ(scalar(db, "SELECT count(*) || ' ' || max(version) FROM schema_version"), applied);
    auto again = open_ok(db);
    ASSERT_TRUE(again) << "a later start finds nothing to do";
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM schema_version"), std::to_string(all.size()));
}

TEST(PgIssuerStore, RefusesANewerSchema) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    ASSERT_TRUE(open_ok(db));
    EXPECT_EQ(scalar(db, "INSERT INTO schema_version VALUES(99, 0) RETURNING version"), "99");
    auto r = PgIssuerStore::open(db, test::pg_test_options());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("newer"), std::string::npos) << r.error();
}

TEST(PgIssuerStore, OpenFailsFastOnAClosedPort) {
    const NoServerPort closed(false);
    ASSERT_NE(closed.port(), 0);
    const auto t0 = Clock::now();
    auto r = PgIssuerStore::open(closed.conninfo(), test::pg_test_options());
    ASSERT_FALSE(r.ok());
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
    EXPECT_NE(r.error().find("PostgreSQL"), std::string::npos) << r.error();
}

// A peer that accepts the connection and then says nothing (a hung server,
// a black-holed proxy): open() gives up at connect_timeout.
TEST(PgIssuerStore, OpenGivesUpOnASilentServer) {
    const NoServerPort silent(true);
    ASSERT_NE(silent.port(), 0);
    const auto t0 = Clock::now();
    auto r = PgIssuerStore::open(silent.conninfo(), test::pg_test_options());
    ASSERT_FALSE(r.ok());
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5)) << "connect_timeout is 2 s";
}

// A server process that stops answering mid-session (SIGSTOP on the
// connection's backend): the call gives up at the client-side deadline
// (statement_timeout + 1 s), closes the connection and says so.
TEST(PgConn, ASilentBackendCostsOneBoundedWait) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto options = test::pg_test_options();
    options.statement_timeout = std::chrono::milliseconds(500);
    auto c = PgConn::connect(db, options);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto pid = (*c)->exec_sql("SELECT pg_backend_pid()");
    ASSERT_TRUE(pid.ok()) << pid.error().message;
    const auto backend = static_cast<pid_t>(pid->int64(0, 0));
    ASSERT_GT(backend, 0);
    ASSERT_EQ(::kill(backend, SIGSTOP), 0);
    const auto t0 = Clock::now();
    const PgStatement one{"gk_test_one", "SELECT 1"};
    auto r = (*c)->exec(one, {});
    const auto took = Clock::now() - t0;
    ::kill(backend, SIGCONT);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().connection_lost()) << r.error().message;
    EXPECT_TRUE((*c)->broken());
    EXPECT_GE(took, std::chrono::milliseconds(1400));
    EXPECT_LT(took, std::chrono::milliseconds(3000));
}

// A row held by another transaction (another instance mid-rotation, or
// stuck): the rotation gives up at lock_timeout with `unavailable`, and
// works once the row is free.
TEST(PgIssuerStore, LockWaitsAreBounded) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto store = open_ok(db);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->save_refresh(refresh("t0", "fam")).ok());
    auto holder = PgConn::connect(db, test::pg_test_options());
    ASSERT_TRUE(holder.ok()) << holder.error().message;
    ASSERT_TRUE(
        (*holder)->exec_sql("BEGIN; SELECT 1 FROM refresh_tokens WHERE token_hash = 't0' FOR UPDATE").ok());

    const auto t0 = Clock::now();
    auto r = store->rotate_refresh("t0", next_token("t1"), 200);
    const auto took = Clock::now() - t0;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, Kind::unavailable) << r.error().message;
    EXPECT_GE(took, std::chrono::milliseconds(400)) << "it waited for the lock";
    EXPECT_LT(took, std::chrono::milliseconds(2500)) << "and no longer than its bound";
    EXPECT_TRUE(store->find_refresh("t0").ok()) << "reads are not blocked by a row lock";

    ASSERT_TRUE((*holder)->exec_sql("ROLLBACK").ok());
    auto again = store->rotate_refresh("t0", next_token("t1"), 200);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->outcome, RotateOutcome::rotated);
}

// The server goes away: every kind of call answers `unavailable` at once
// (no exception, no hang), and once it is back the same store object works
// again, without being reopened.
TEST(PgIssuerStore, ServerDownIsUnavailableThenTheSameStoreRecovers) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto store = open_ok(db);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->create_session({"s1", "alice", "csrf", 100, 100, 1000}).ok());
    ASSERT_TRUE(store->save_refresh(refresh("t0", "fam")).ok());
    ASSERT_TRUE(store->save_code({"c1", "app", "alice", "", "", "", 500}).ok());

    auto& server = PgTestServer::shared();
    server.stop();
    {
        // Failures name no hash: the operator's log never holds one.
        const std::string hash = "5ecret0f5e55i0nhash";
        auto r = store->find_session(hash);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().find(hash), std::string::npos) << r.error();
        auto rot = store->rotate_refresh(hash, next_token(hash + "-next"), 200);
        ASSERT_FALSE(rot.ok());
        EXPECT_EQ(rot.error().message.find(hash), std::string::npos) << rot.error().message;
    }
    for (int i = 0; i < 3; ++i) {  // the pooled connections die first, then connects fail
        const auto t0 = Clock::now();
        auto found = store->find_session("s1");
        EXPECT_FALSE(found.ok());
        EXPECT_EQ(kind_of_failure(store->create_session({"s2", "bob", "", 1, 1, 2})), Kind::unavailable);
        EXPECT_EQ(kind_of_failure(store->take_code("c1")), Kind::unavailable);
        EXPECT_EQ(kind_of_failure(store->rotate_refresh("t0", next_token("t1"), 200)), Kind::unavailable);
        EXPECT_EQ(kind_of_failure(store->list_api_keys()), Kind::unavailable);
        EXPECT_EQ(kind_of_failure(store->revoked_jtis(0)), Kind::unavailable);
        EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3)) << "round " << i;
    }

    ASSERT_TRUE(server.start()) << server.error();
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    bool back = false;
    while (!back && Clock::now() < deadline) {
        back = store->find_session("s1").ok();
        if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(back) << "the store reconnects by itself";
    auto code = store->take_code("c1");
    ASSERT_TRUE(code.ok()) << code.error().message;
    EXPECT_TRUE(code->has_value()) << "nothing was lost while the server was down";
    auto rot = store->rotate_refresh("t0", next_token("t1"), 200);
    ASSERT_TRUE(rot.ok()) << rot.error().message;
    EXPECT_EQ(rot->outcome, RotateOutcome::rotated);
}

// PostgreSQL's text holds UTF-8 without NUL bytes: a write of anything else
// is invalid (SQLite would store the bytes), and nothing is cut at a NUL.
TEST(PgIssuerStore, WritesOfTextItCannotHoldAreInvalid) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto store = open_ok(db);
    ASSERT_TRUE(store);
    const std::string nul("al\0ice", 6);
    EXPECT_EQ(kind_of_failure(store->create_session({"s1", nul, "", 1, 1, 2})), Kind::invalid);
    EXPECT_EQ(kind_of_failure(store->create_session({"s2", "al\xffice", "", 1, 1, 2})), Kind::invalid);
    EXPECT_EQ(kind_of_failure(store->create_api_key({"k", std::string("h\0x", 3), "", "", {}, 1, 0, false})),
              Kind::invalid);
    EXPECT_EQ(kind_of_failure(store->put_client({"app", "", "", {"https://a/\xc3"}, {}, {}, 1})),
              Kind::invalid);
    EXPECT_FALSE(store->find_session("s1").value().has_value());
    EXPECT_TRUE(store->list_api_keys().value().empty());
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sessions"), "0");
}

// A clean restart (the server tells its clients it is shutting down): the
// pooled connections are found closed before use and replaced, so not even
// the first call after it fails, a write included.
TEST(PgIssuerStore, ACleanRestartCostsNoFailedCall) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto store = open_ok(db);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->save_code({"c1", "app", "alice", "", "", "", 500}).ok());
    ASSERT_TRUE(store->find_client("app").ok());
    auto& server = PgTestServer::shared();
    server.stop();
    ASSERT_TRUE(server.start()) << server.error();
    auto code = store->take_code("c1");
    ASSERT_TRUE(code.ok()) << code.error().message;
    EXPECT_TRUE(code->has_value());
}

// All connections busy: a further call waits pool_wait, then answers
// `unavailable`, rather than opening connections without bound.
TEST(PgPool, WaitForAFreeConnectionIsBounded) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto options = test::pg_test_options();
    options.pool_size = 1;
    options.pool_wait = std::chrono::milliseconds(300);
    PgPool pool(db, options);
    auto held = pool.acquire();
    ASSERT_TRUE(held.ok()) << held.error().message;
    const auto t0 = Clock::now();
    auto second = pool.acquire();
    EXPECT_FALSE(second.ok());
    EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(250));
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
    { auto released = std::move(held).value(); }
    EXPECT_TRUE(pool.acquire().ok()) << "the released connection is reused";
}

// A failed connect starts a back-off: calls inside it fail at once without
// trying (a down database is not hammered by every request), and the first
// call after it tries again.
TEST(PgPool, BacksOffAfterAFailedConnect) {
    const NoServerPort closed(false);
    ASSERT_NE(closed.port(), 0);
    auto options = test::pg_test_options();
    options.backoff_min = std::chrono::milliseconds(300);
    options.backoff_max = std::chrono::milliseconds(300);
    PgPool pool(closed.conninfo(), options);
    auto first = pool.acquire();
    ASSERT_FALSE(first.ok());
    EXPECT_NE(first.error().message.find("cannot connect"), std::string::npos) << first.error().message;
    auto during = pool.acquire();
    ASSERT_FALSE(during.ok());
    EXPECT_NE(during.error().message.find("waiting before the next"), std::string::npos)
        << during.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    auto after = pool.acquire();
    ASSERT_FALSE(after.ok());
    EXPECT_NE(after.error().message.find("cannot connect"), std::string::npos) << after.error().message;
}

}  // namespace
}  // namespace gk::store
