#include "server/redis_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

#include "store/file_read.hpp"

namespace gk::server {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

// AUTH with the password file's first line, on a fresh socket, before any
// other command; one reply read with a reader of its own. The caller's timer
// bounds it (it closes the socket). Messages never carry the password: Redis'
// own say only that the pair was wrong.
asio::awaitable<std::string> authenticate(tcp::socket& sock, const gate::SharedState& settings) {
    auto file = store::read_file(settings.redis_password_file, 4096);
    if (!file) co_return "redis password_file: " + file.error();
    std::string password = file->text.substr(0, file->text.find_first_of("\r\n"));
    if (password.empty()) co_return "redis password_file " + settings.redis_password_file + " is empty";
    std::vector<std::string> auth{"AUTH"};
    if (!settings.redis_username.empty()) auth.push_back(settings.redis_username);
    auth.push_back(std::move(password));
    const std::string wire = store::redis_command(auth);
    std::fill(auth.back().begin(), auth.back().end(), '\0');
    auto [wec, written] = co_await asio::async_write(sock, asio::buffer(wire), use_nothrow);
    if (wec) co_return "AUTH: " + wec.message();
    store::RedisReader reader;
    char buf[512];
    for (;;) {
        auto [rec, n] = co_await sock.async_read_some(asio::buffer(buf), use_nothrow);
        if (rec) co_return "AUTH: " + rec.message();
        if (auto fed = reader.feed(buf, n); !fed) co_return "AUTH: " + fed.error();
        auto reply = reader.next();
        if (!reply) co_return "AUTH: " + reply.error();
        if (!*reply) continue;
        if ((*reply)->is_error()) co_return "AUTH refused: " + (*reply)->str;
        co_return std::string();
    }
}

std::vector<RedisResult> failures(std::size_t n, const std::string& why) {
    std::vector<RedisResult> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.emplace_back(fail(why));
    return out;
}
}  // namespace

struct RedisConnection::Pending {
    Pending(asio::any_io_executor ex, std::size_t n) : wake(ex), expect(n) {}
    asio::steady_timer wake;  // cancelled when every reply is in (or the connection failed)
    std::size_t expect;
    std::vector<RedisResult> replies;
    bool done = false;
};

RedisConnection::RedisConnection(asio::any_io_executor ex, gate::SharedState settings)
    : ex_(std::move(ex)), settings_(std::move(settings)) {}

RedisConnection::~RedisConnection() {
    if (sock_) {
        error_code ignore;
        sock_->close(ignore);
    }
}

std::string RedisConnection::where() const {
    return "redis " + settings_.redis_host + ":" + std::to_string(settings_.redis_port);
}

void RedisConnection::fail_all(const std::string& why) {
    ++generation_;
    if (sock_) {
        error_code ignore;
        sock_->close(ignore);
        sock_.reset();
    }
    state_ = State::down;
    last_error_ = why;
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    out_.clear();
    reader_ = std::make_unique<store::RedisReader>();  // a half-read reply belongs to the dead connection
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& p : waiting) {
        while (p->replies.size() < p->expect) p->replies.emplace_back(fail(why));
        p->done = true;
        p->wake.cancel();
    }
}

asio::awaitable<Result<std::shared_ptr<tcp::socket>, std::string>> connect_to_redis(
    asio::any_io_executor ex, const gate::SharedState& settings, std::chrono::steady_clock::time_point deadline) {
    auto sock = std::make_shared<tcp::socket>(ex);
    asio::steady_timer limit(ex, deadline);
    bool timed_out = false;
    limit.async_wait([&timed_out, sock](error_code ec) {
        if (ec) return;
        timed_out = true;
        error_code ignore;
        sock->close(ignore);
    });
    tcp::resolver resolver(ex);
    std::string problem;
    auto [rec, endpoints] = co_await resolver.async_resolve(settings.redis_host, std::to_string(settings.redis_port),
                                                             use_nothrow);
    if (rec) {
        problem = "cannot resolve " + settings.redis_host + ": " + rec.message();
    } else {
        auto [cec, ep] = co_await asio::async_connect(*sock, endpoints, use_nothrow);
        if (cec) problem = timed_out ? std::string("connect timed out") : "connect: " + cec.message();
        else if (!settings.redis_password_file.empty()) {
            problem = co_await authenticate(*sock, settings);
            if (timed_out && !problem.empty()) problem = "AUTH timed out";
        }
    }
    limit.cancel();
    if (!problem.empty()) co_return fail(problem);
    error_code ignore;
    sock->set_option(tcp::no_delay(true), ignore);
    co_return sock;
}

asio::awaitable<Result<Ok, std::string>> RedisConnection::connect(std::chrono::steady_clock::time_point deadline) {
    if (state_ == State::connecting) {
        // Another call is connecting: wait for it (bounded by our own deadline).
        auto t = std::make_shared<asio::steady_timer>(ex_, deadline);
        connect_waiters_.push_back(t);
        co_await t->async_wait(use_nothrow);
        if (state_ == State::up) co_return Ok{};
        co_return fail(where() + " unavailable: " + (last_error_.empty() ? "connect timed out" : last_error_));
    }
    if (std::chrono::steady_clock::now() < retry_at_)
        co_return fail(where() + " unavailable (" + last_error_ + "); reconnecting shortly");
    state_ = State::connecting;
    auto connected = co_await connect_to_redis(ex_, settings_, deadline);
    auto wake_waiters = [this] {
        for (auto& t : connect_waiters_) t->cancel();
        connect_waiters_.clear();
    };
    if (!connected) {
        fail_all(connected.error());
        wake_waiters();
        co_return fail(where() + " unavailable: " + connected.error());
    }
    auto sock = std::move(connected).value();
    sock_ = sock;
    state_ = State::up;
    const unsigned gen = ++generation_;
    asio::co_spawn(ex_, read_loop(sock, gen), asio::detached);
    wake_waiters();
    if (settings_.redis_db != 0) {
        // A named command: GCC 12 cannot keep a braced list with a string literal across co_await.
        RedisCommand select{std::string("SELECT"), std::to_string(settings_.redis_db)};
        auto r = co_await call(std::move(select));
        if (!r) co_return fail(r.error());
        if (r->is_error()) {
            fail_all("SELECT " + std::to_string(settings_.redis_db) + ": " + r->str);
            co_return fail(where() + ": " + r->str);
        }
    }
    backoff_ = kFirstBackoff;
    co_return Ok{};
}

asio::awaitable<void> RedisConnection::read_loop(std::shared_ptr<tcp::socket> sock, unsigned generation) {
    auto self = shared_from_this();
    char buf[16 * 1024];
    for (;;) {
        auto [ec, n] = co_await sock->async_read_some(asio::buffer(buf), use_nothrow);
        if (generation != generation_) co_return;
        if (ec) {
            fail_all(ec == asio::error::eof ? std::string("connection closed by the server") : "read: " + ec.message());
            co_return;
        }
        if (auto fed = reader_->feed(buf, n); !fed) {
            fail_all(fed.error());
            co_return;
        }
        for (;;) {
            auto r = reader_->next();
            if (!r) {
                fail_all(r.error());
                co_return;
            }
            if (!*r) break;
            if (waiting_.empty()) {
                fail_all("a reply nobody asked for");
                co_return;
            }
            auto& front = waiting_.front();
            front->replies.emplace_back(std::move(**r));
            if (front->replies.size() == front->expect) {
                front->done = true;
                front->wake.cancel();
                waiting_.pop_front();
            }
        }
    }
}

asio::awaitable<void> RedisConnection::write_loop(std::shared_ptr<tcp::socket> sock, unsigned generation) {
    auto self = shared_from_this();
    writing_ = true;
    while (!out_.empty() && generation == generation_) {
        std::string chunk;
        chunk.swap(out_);
        auto [ec, n] = co_await asio::async_write(*sock, asio::buffer(chunk), use_nothrow);
        if (generation != generation_) break;
        if (ec) {
            fail_all("write: " + ec.message());
            break;
        }
    }
    writing_ = false;
}

asio::awaitable<std::vector<RedisResult>> RedisConnection::run(std::vector<RedisCommand> commands) {
    auto self = shared_from_this();
    if (commands.empty()) co_return std::vector<RedisResult>{};
    const auto deadline = std::chrono::steady_clock::now() + settings_.redis_timeout;
    if (state_ != State::up) {
        auto c = co_await connect(deadline);
        if (!c) co_return failures(commands.size(), c.error());
        if (state_ != State::up) co_return failures(commands.size(), where() + " unavailable");
    }
    auto p = std::make_shared<Pending>(ex_, commands.size());
    p->wake.expires_at(deadline);
    for (const auto& c : commands) out_ += store::redis_command(c);
    waiting_.push_back(p);
    if (!writing_) asio::co_spawn(ex_, write_loop(sock_, generation_), asio::detached);
    if (!p->done) co_await p->wake.async_wait(use_nothrow);
    if (!p->done) {
        // Replies are matched by order: one that is late would go to the
        // wrong caller, so a timeout drops the whole connection.
        fail_all("no answer within " + std::to_string(settings_.redis_timeout.count()) + " ms");
    }
    co_return std::move(p->replies);
}

asio::awaitable<RedisResult> RedisConnection::call(RedisCommand command) {
    std::vector<RedisCommand> one;
    one.push_back(std::move(command));
    auto r = co_await run(std::move(one));
    co_return std::move(r.front());
}

RedisClient::RedisClient(gate::SharedState settings)
    : work_(asio::make_work_guard(ioc_)),
      conn_(std::make_shared<RedisConnection>(ioc_.get_executor(), settings)),
      timeout_(settings.redis_timeout),
      thread_([this] { ioc_.run(); }) {}

RedisClient::~RedisClient() {
    asio::post(ioc_, [c = std::move(conn_)]() mutable { c.reset(); });
    work_.reset();
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
}

std::vector<RedisResult> RedisClient::run(std::vector<RedisCommand> commands) {
    const std::size_t n = commands.size();
    auto done = std::make_shared<std::promise<std::vector<RedisResult>>>();
    auto future = done->get_future();
    asio::co_spawn(ioc_, conn_->run(std::move(commands)),
                   [done, n](std::exception_ptr e, std::vector<RedisResult> r) {
                       if (e) r = failures(n, "redis call failed");
                       done->set_value(std::move(r));
                   });
    // run() is bounded by the timeout itself; the margin only covers a stuck thread.
    if (future.wait_for(timeout_ * 2 + std::chrono::seconds(1)) != std::future_status::ready)
        return failures(n, "redis client thread did not answer");
    return future.get();
}

}  // namespace gk::server
