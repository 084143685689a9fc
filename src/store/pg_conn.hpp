#pragma once
// RAII over libpq (PGconn, PGresult) and a small pool of connections, for the
// PostgreSQL stores. Every call is bounded in time: connect_timeout on the
// connection, statement_timeout and lock_timeout on the server side of each
// session, and a client-side deadline on every wait for the socket, so a
// server that stops answering costs one bounded wait, never a hung thread.
//
// Parameters are text only and statements are prepared once per connection
// (PQprepare on first use, PQexecPrepared after, in their PQsend* forms so
// that every wait is a poll() with a deadline): the SQL never contains a
// value. Errors are values; their messages are libpq's or the server's
// primary message, which names objects and constraints, never a parameter
// (the server's DETAIL line, which can quote a row, is dropped).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/policy.hpp"

struct pg_conn;
struct pg_result;

namespace gk::store {

struct PgOptions {
    int pool_size = 4;                // connections per store, at most
    int connect_timeout_seconds = 2;  // libpq's minimum is 2
    std::chrono::milliseconds statement_timeout{2000};
    std::chrono::milliseconds lock_timeout{1000};  // a row held by another instance
    std::chrono::milliseconds pool_wait{2000};     // longest wait for a free connection
    std::chrono::milliseconds backoff_min{50};     // after a failed connect: wait, doubling,
    std::chrono::milliseconds backoff_max{2000};   // up to this, before trying again
};

// The bounds state.postgres sets: pool size, statement and pool-wait timeout.
PgOptions pg_options(const gate::SharedState& state);

struct PgError {
    std::string sqlstate;         // five characters from the server; empty: the connection failed
    std::string message;          // never a parameter value
    std::string constraint = {};  // the constraint a violation names, if any
    [[nodiscard]] bool connection_lost() const { return sqlstate.empty(); }
};

// One statement, prepared under `name` on each connection that runs it.
struct PgStatement {
    std::string_view name;
    std::string_view sql;
};

class PgResult {
public:
    PgResult() = default;
    explicit PgResult(pg_result* r) : r_(r) {}

    [[nodiscard]] int rows() const;
    [[nodiscard]] int affected() const;  // rows an INSERT / UPDATE / DELETE touched
    [[nodiscard]] std::string text(int row, int col) const;
    [[nodiscard]] std::int64_t int64(int row, int col) const;  // 0 for NULL or non-numbers
    [[nodiscard]] bool boolean(int row, int col) const;

private:
    struct Free {
        void operator()(pg_result* r) const;
    };
    std::unique_ptr<pg_result, Free> r_;
};

class PgConn {
public:
    static Result<std::unique_ptr<PgConn>, PgError> connect(const std::string& conninfo,
                                                            const PgOptions& options);
    ~PgConn();
    PgConn(const PgConn&) = delete;
    PgConn& operator=(const PgConn&) = delete;

    // A prepared statement with text parameters ($1, $2, ... in order).
    Result<PgResult, PgError> exec(const PgStatement& st, std::initializer_list<std::string_view> params);
    // Plain SQL without parameters, possibly several statements (BEGIN,
    // migrations); the last statement's result. `timeout` 0 = the default bound.
    Result<PgResult, PgError> exec_sql(std::string_view sql,
                                       std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

    // Usable for another call: connected and outside any transaction.
    [[nodiscard]] bool reusable() const;
    [[nodiscard]] bool broken() const;
    // For an idle connection, without waiting: false (and closed) when the
    // server sent something meanwhile, which for an idle session is its end.
    bool still_open();

private:
    PgConn(pg_conn* c, const PgOptions& options);
    // Waits for the one pending command's result under `deadline`; a missed
    // deadline or a lost socket closes the connection.
    Result<PgResult, PgError> await(std::chrono::steady_clock::time_point deadline);
    PgError lost(std::string message);

    pg_conn* c_;
    std::chrono::milliseconds bound_;  // client-side deadline of one call
    std::unordered_set<std::string> prepared_;
};

// Rolls back unless committed: an early return leaves nothing half-written.
class PgTransaction {
public:
    static Result<PgTransaction, PgError> begin(PgConn& c);
    PgTransaction(PgTransaction&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
    PgTransaction& operator=(PgTransaction&&) = delete;
    ~PgTransaction();
    Result<Ok, PgError> commit();

private:
    explicit PgTransaction(PgConn& c) : c_(&c) {}
    PgConn* c_;
};

// At most options.pool_size connections, each used by one thread at a time.
// A broken connection is dropped on release (with the idle ones: a restart of
// the server breaks them all), and an idle one the server closed meanwhile
// is dropped before use, so a clean restart of the server costs no failed
// call; new ones are made on demand, and after a
// failed connect the next attempt waits (backoff_min, doubling to
// backoff_max) while acquire() fails at once: a down database answers fast.
class PgPool {
public:
    class Lease {
    public:
        Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(std::move(o.conn_)) { o.pool_ = nullptr; }
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        PgConn& operator*() const { return *conn_; }
        PgConn* operator->() const { return conn_.get(); }

    private:
        friend class PgPool;
        Lease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
        PgPool* pool_;
        std::unique_ptr<PgConn> conn_;
    };

    PgPool(std::string conninfo, PgOptions options);
    PgPool(const PgPool&) = delete;
    PgPool& operator=(const PgPool&) = delete;

    Result<Lease, PgError> acquire();

private:
    void release(std::unique_ptr<PgConn> conn);

    const std::string conninfo_;
    const PgOptions options_;
    std::mutex mu_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<PgConn>> idle_;
    int out_ = 0;  // leased or being connected
    int failures_ = 0;
    std::chrono::steady_clock::time_point next_connect_{};
};

}  // namespace gk::store
