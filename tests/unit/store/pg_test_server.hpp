#pragma once
// A real PostgreSQL server for the PostgreSQL store tests, one per test
// process: started on first use (initdb into a temporary directory, then
// `postgres` listening on 127.0.0.1 and on a socket in that directory, on a
// free port), stopped by its PID (SIGINT: fast shutdown) in the test
// environment's teardown, which also removes the directory. Each test gets a
// database of its own (CREATE DATABASE is cheap next to a server start).
//
// initdb refuses to run as root: as root, the server runs as the `postgres`
// system user (Debian's postgresql package makes it), which then owns the
// directory. The child asks for SIGQUIT if the test process dies, so a
// crashed run leaves no server behind. Durability is off (fsync): the data
// is thrown away.
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "../test_ports.hpp"
#include "store/pg_conn.hpp"
#include <vector>

#include "test_util.hpp"

#ifndef GK_PG_BINDIR
#define GK_PG_BINDIR "/usr/lib/postgresql/15/bin"
#endif

namespace gk::store::test {

class PgTestServer {
public:
    // The process's server, started on the first call. Check ok().
    static PgTestServer& shared() {
        auto& s = slot();
        if (!s) s.reset(new PgTestServer());
        return *s;
    }
    // Stops and removes the shared server, if one was started.
    static void shutdown_shared() { slot().reset(); }

    ~PgTestServer() {
        stop();
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }

    [[nodiscard]] bool ok() const { return error_.empty(); }
    [[nodiscard]] const std::string& error() const { return error_; }
    [[nodiscard]] int port() const { return port_; }

    // Over the Unix socket in the server's directory.
    [[nodiscard]] std::string conninfo(const std::string& db) const {
        return "host=" + dir_.string() + " port=" + std::to_string(port_) + " user=postgres dbname=" + db;
    }

    // A new, empty database; its conninfo ("" and a test failure if it cannot be made).
    std::string fresh_database() {
        const std::string name = "gk_t" + std::to_string(++databases_);
        if (!run_sql("postgres", "CREATE DATABASE " + name)) return "";
        return conninfo(name);
    }

    // Runs SQL on `db` over a connection of its own; false (and a test failure) on error.
    bool run_sql(const std::string& db, const std::string& sql) const {
        PGconn* c = PQconnectdb((conninfo(db) + " connect_timeout=5").c_str());
        bool good = PQstatus(c) == CONNECTION_OK;
        if (good) {
            PGresult* r = PQexec(c, sql.c_str());
            good = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
            if (!good) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
            PQclear(r);
        } else {
            ADD_FAILURE() << "connect: " << PQerrorMessage(c);
        }
        PQfinish(c);
        return good;
    }

    // Fast shutdown (SIGINT) and wait for the exit; the data directory stays.
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGINT);
        if (!wait_exit(pid_, std::chrono::seconds(30))) {
            ::kill(pid_, SIGKILL);
            wait_exit(pid_, std::chrono::seconds(5));
        }
        pid_ = -1;
    }

    // (Re)starts on the same directory and port; false with error() set.
    bool start() {
        if (pid_ > 0) return true;
        const std::string port = std::to_string(port_);
        pid_ = spawn({bin("postgres"), "-D", (dir_ / "data").string(), "-k", dir_.string(), "-h", "127.0.0.1",
                      "-p", port, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                      "full_page_writes=off", "-c", "max_connections=100"});
        if (pid_ <= 0) return set_error("cannot start postgres");
        const std::string ping = conninfo("postgres") + " connect_timeout=2";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (PQping(ping.c_str()) != PQPING_OK) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return set_error("postgres exited at start; see " + (dir_ / "server.log").string());
            }
            if (std::chrono::steady_clock::now() > deadline) {
                stop();
                return set_error("postgres not ready within 30 s");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return true;
    }

private:
    PgTestServer() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "gk-pg-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            set_error("mkdtemp failed");
            return;
        }
        dir_ = tmpl;
        if (::geteuid() == 0) {
            const passwd* pw = ::getpwnam("postgres");
            if (pw == nullptr) {
                set_error("running as root and there is no 'postgres' user for initdb");
                return;
            }
            uid_ = pw->pw_uid;
            gid_ = pw->pw_gid;
            if (::chown(dir_.c_str(), uid_, gid_) != 0) {
                set_error("cannot give the server's directory to 'postgres'");
                return;
            }
        }
        port_ = gk::testing::free_port();
        const pid_t init = spawn({bin("initdb"), "-D", (dir_ / "data").string(), "-U", "postgres", "-A",
                                  "trust", "-E", "UTF8", "--locale=C", "--no-sync"});
        if (init <= 0 || !wait_exit(init, std::chrono::seconds(120), true)) {
            set_error("initdb failed; see " + (dir_ / "server.log").string());
            return;
        }
        start();
    }

    static std::unique_ptr<PgTestServer>& slot() {
        static std::unique_ptr<PgTestServer> s;
        return s;
    }

    static std::string bin(const char* name) {
        const char* dir = std::getenv("GK_PG_BINDIR");
        return std::string(dir != nullptr && *dir != '\0' ? dir : GK_PG_BINDIR) + "/" + name;
    }

    bool set_error(std::string e) {
        error_ = std::move(e);
        return false;
    }

    // Runs argv as the server's user, output appended to server.log.
    pid_t spawn(const std::vector<std::string>& argv) const {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        const std::string log = (dir_ / "server.log").string();
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid != 0) return pid;
        // The child: only async-signal-safe calls until exec.
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        const int in = ::open("/dev/null", O_RDONLY);
        if (out < 0 || in < 0) ::_exit(126);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        if (uid_ != 0) {
            if (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0) ::_exit(126);
        }
        // After the change of user, which would clear it.
        ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
        if (::getppid() != parent) ::_exit(126);
        ::execv(args[0], args.data());
        ::_exit(127);
    }

    // Waits for `pid` to exit; with `must_succeed`, also that it exited 0.
    static bool wait_exit(pid_t pid, std::chrono::seconds limit, bool must_succeed = false) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            int status = 0;
            const pid_t r = ::waitpid(pid, &status, WNOHANG);
            if (r == pid) return !must_succeed || (WIFEXITED(status) && WEXITSTATUS(status) == 0);
            if (r < 0) return !must_succeed;
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    std::filesystem::path dir_;
    std::string error_;
    int port_ = 0;
    pid_t pid_ = -1;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    int databases_ = 0;
};

// Stops the process's server after the last test.
class PgServerEnvironment : public ::testing::Environment {
public:
    void TearDown() override { PgTestServer::shutdown_shared(); }
};

// Short bounds for the tests against this server: the fault tests wait for them.
inline PgOptions pg_test_options() {
    using namespace std::chrono_literals;
    PgOptions o;
    o.statement_timeout = 1500ms;
    o.lock_timeout = 1000ms;
    o.pool_wait = 1000ms;
    o.backoff_min = 20ms;
    o.backoff_max = 200ms;
    return o;
}

// A fresh database on the process's server (started again if a fault test
// stopped it); "" (and a test failure) without one.
inline std::string fresh_database() {
    auto& server = PgTestServer::shared();
    if (!server.ok()) {
        ADD_FAILURE() << "no PostgreSQL server for the tests: " << server.error();
        return "";
    }
    if (!server.start()) {
        ADD_FAILURE() << server.error();
        return "";
    }
    return server.fresh_database();
}

// One raw query's first value, for looking behind a store.
inline std::string scalar(const std::string& conninfo, const std::string& sql) {
    auto c = PgConn::connect(conninfo, pg_test_options());
    if (!c) return "connect: " + c.error().message;
    auto r = (*c)->exec_sql(sql);
    if (!r) return "error: " + r.error().message;
    return r->rows() > 0 ? r->text(0, 0) : "";
}

}  // namespace gk::store::test
