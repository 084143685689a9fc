#pragma once
// A real redis-server for the tests of one process (gtest_discover_tests runs
// each case as its own process): started on first use on a free loopback
// port, nothing saved, stopped by its PID when the process ends.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../test_ports.hpp"
#include "server/redis_connection.hpp"

namespace gk::server::testing {

class RedisServer {
public:
    static RedisServer& get() {
        static RedisServer s({});
        return s;
    }
    // Another server that requires AUTH with kPassword (Redis' default user).
    static constexpr const char* kPassword = "s3cret redis pass";
    static RedisServer& with_password() {
        static RedisServer s({"--requirepass", kPassword});
        return s;
    }
    ~RedisServer() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] bool up() const { return pid_ > 0 && ready_; }

private:
    explicit RedisServer(std::vector<std::string> extra) : port_(gk::testing::free_port()) {
        const std::string port = std::to_string(port_);
        std::vector<std::string> args{"redis-server", "--port",     port,     "--bind",
                                      "127.0.0.1",    "--save",     "",       "--appendonly",
                                      "no",           "--loglevel", "warning"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ == 0) {
            const int devnull = ::open("/dev/null", O_WRONLY);
            if (devnull >= 0) {
                ::dup2(devnull, STDOUT_FILENO);
                ::dup2(devnull, STDERR_FILENO);
            }
            ::execv("/usr/bin/redis-server", argv.data());
            ::_exit(127);
        }
        gate::SharedState s;
        s.redis_host = "127.0.0.1";
        s.redis_port = static_cast<std::uint16_t>(port_);
        RedisClient probe(s);
        for (int i = 0; i < 100 && !ready_; ++i) {
            std::vector<RedisCommand> ping{{std::string("PING")}};
            auto r = probe.run(std::move(ping));
            ready_ = r.front().ok();  // any reply, even NOAUTH, says it listens
            if (!ready_) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    int port_;
    pid_t pid_ = -1;
    bool ready_ = false;
};

inline gate::SharedState redis_settings() {
    gate::SharedState s;
    s.redis_host = "127.0.0.1";
    s.redis_port = static_cast<std::uint16_t>(RedisServer::get().port());
    return s;
}

}  // namespace gk::server::testing
