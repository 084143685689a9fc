#include "store/pg_conn.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>

namespace gk::store {
namespace {

using Clock = std::chrono::steady_clock;

// libpq's messages end in a newline and may span lines; one line for logs.
std::string one_line(const char* msg) {
    std::string s = msg != nullptr ? msg : "";
    std::replace(s.begin(), s.end(), '\n', ' ');
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s.empty() ? "unknown libpq error" : s;
}

// Waits until the socket is ready for `events` or the deadline passes (false).
bool wait_socket(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return true;  // readable, writable, or an error libpq will report
        if (n < 0 && errno != EINTR) return true;
    }
}

}  // namespace

// ---- PgResult ----

void PgResult::Free::operator()(pg_result* r) const { PQclear(r); }

int PgResult::rows() const { return r_ ? PQntuples(r_.get()) : 0; }

int PgResult::affected() const {
    if (!r_) return 0;
    const std::string_view s = PQcmdTuples(r_.get());
    int n = 0;
    std::from_chars(s.data(), s.data() + s.size(), n);
    return n;
}

std::string PgResult::text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
}

std::int64_t PgResult::int64(int row, int col) const {
    const char* v = PQgetvalue(r_.get(), row, col);
    std::int64_t n = 0;
    std::from_chars(v, v + PQgetlength(r_.get(), row, col), n);
    return n;
}

bool PgResult::boolean(int row, int col) const { return PQgetvalue(r_.get(), row, col)[0] == 't'; }

// ---- PgConn ----

PgOptions pg_options(const gate::SharedState& state) {
    PgOptions o;
    o.pool_size = static_cast<int>(state.postgres_pool);
    o.statement_timeout = state.postgres_timeout;
    o.pool_wait = state.postgres_timeout;
    return o;
}

PgConn::PgConn(pg_conn* c, const PgOptions& options)
    // The server gives up at statement_timeout; the client waits a little
    // longer to hear that answer before it calls the connection lost.
    : c_(c), bound_(options.statement_timeout + std::chrono::milliseconds(1000)) {}

PgConn::~PgConn() {
    if (c_ != nullptr) PQfinish(c_);
}

Result<std::unique_ptr<PgConn>, PgError> PgConn::connect(const std::string& conninfo,
                                                         const PgOptions& options) {
    const std::string timeout = std::to_string(std::max(2, options.connect_timeout_seconds));
    // Keywords are applied in order, later ones winning: the caller's
    // conninfo (expanded from dbname) may name the application, while the
    // time bounds and keepalives (a silent peer is noticed) are ours.
    const char* keys[] = {"application_name", "dbname",
                          "connect_timeout",  "keepalives",
                          "keepalives_idle",  "keepalives_interval",
                          "keepalives_count", nullptr};
    const char* values[] = {"gatekeeper", conninfo.c_str(), timeout.c_str(), "1", "10", "5", "3", nullptr};
    pg_conn* c = PQconnectdbParams(keys, values, 1);
    if (c == nullptr) return fail(PgError{"", "libpq could not allocate a connection"});
    if (PQstatus(c) != CONNECTION_OK) {
        PgError e{"", "cannot connect to PostgreSQL: " + one_line(PQerrorMessage(c))};
        PQfinish(c);
        return fail(std::move(e));
    }
    // Notices (e.g. "already exists, skipping") are the server's to log;
    // libpq's default would print them on our stderr.
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    std::unique_ptr<PgConn> conn(new PgConn(c, options));
    if (PQsetnonblocking(c, 1) != 0) return fail(conn->lost("cannot make the connection non-blocking"));
    // The server's own bounds, for this session: a query or a lock wait that
    // runs past them is cancelled there and reported here as an error.
    const auto stmt_ms = options.statement_timeout.count();
    const std::string settings = "SET statement_timeout = " + std::to_string(stmt_ms) +
                                 "; SET lock_timeout = " + std::to_string(options.lock_timeout.count()) +
                                 "; SET idle_in_transaction_session_timeout = " +
                                 std::to_string(std::max<std::int64_t>(10'000, 5 * stmt_ms));
    if (auto r = conn->exec_sql(settings); !r) return fail(r.error());
    return conn;
}

PgError PgConn::lost(std::string message) {
    if (c_ != nullptr) {
        PQfinish(c_);
        c_ = nullptr;
    }
    prepared_.clear();
    return PgError{"", std::move(message)};
}

bool PgConn::broken() const { return c_ == nullptr || PQstatus(c_) != CONNECTION_OK; }

bool PgConn::still_open() {
    if (broken()) return false;
    // We never LISTEN, so an idle connection has nothing to hear but its
    // end: a shutdown's FATAL notice, then end of stream (libpq would only
    // see the latter on a later read). Anything readable: drop it.
    pollfd p{PQsocket(c_), POLLIN, 0};
    if (::poll(&p, 1, 0) != 0) {
        (void)lost("closed by the server");
        return false;
    }
    return true;
}

bool PgConn::reusable() const { return !broken() && PQtransactionStatus(c_) == PQTRANS_IDLE; }

Result<PgResult, PgError> PgConn::await(Clock::time_point deadline) {
    const int fd = PQsocket(c_);
    for (;;) {
        const int f = PQflush(c_);
        if (f == 0) break;
        if (f < 0) return fail(lost("sending to PostgreSQL failed: " + one_line(PQerrorMessage(c_))));
        if (!wait_socket(fd, POLLIN | POLLOUT, deadline))
            return fail(lost("PostgreSQL did not read in time"));
        if (PQconsumeInput(c_) == 0)
            return fail(lost("connection to PostgreSQL lost: " + one_line(PQerrorMessage(c_))));
    }
    PgResult last;
    std::optional<PgError> error;
    for (;;) {
        while (PQisBusy(c_) != 0) {
            if (!wait_socket(fd, POLLIN, deadline))
                return fail(
                    lost("PostgreSQL did not answer within " + std::to_string(bound_.count()) + " ms"));
            if (PQconsumeInput(c_) == 0)
                return fail(lost("connection to PostgreSQL lost: " + one_line(PQerrorMessage(c_))));
        }
        pg_result* r = PQgetResult(c_);
        if (r == nullptr) break;
        const auto status = PQresultStatus(r);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
            if (!error)
                last = PgResult(r);
            else
                PQclear(r);
            continue;
        }
        if (!error) {
            // The primary message only: the DETAIL line may quote the row.
            const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
            const char* constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
            error = PgError{state != nullptr ? state : "",
                            one_line(primary != nullptr ? primary : PQresultErrorMessage(r)),
                            constraint != nullptr ? constraint : ""};
        }
        PQclear(r);
    }
    if (PQstatus(c_) != CONNECTION_OK) {
        return fail(lost("connection to PostgreSQL lost: " +
                         (error ? error->message : one_line(PQerrorMessage(c_)))));
    }
    if (error) {
        if (error->sqlstate.empty()) error->sqlstate = "XX000";  // a server error without a code
        return fail(std::move(*error));
    }
    return last;
}

Result<PgResult, PgError> PgConn::exec(const PgStatement& st,
                                       std::initializer_list<std::string_view> params) {
    if (c_ == nullptr) return fail(PgError{"", "connection to PostgreSQL closed"});
    const auto deadline = Clock::now() + bound_;
    std::string name(st.name);
    if (!prepared_.contains(name)) {
        const std::string sql(st.sql);
        if (PQsendPrepare(c_, name.c_str(), sql.c_str(), 0, nullptr) == 0)
            return fail(lost("sending to PostgreSQL failed: " + one_line(PQerrorMessage(c_))));
        if (auto r = await(deadline); !r) return fail(r.error());
        prepared_.insert(name);
    }
    // Text format: each value is a NUL-terminated copy, so a NUL inside one
    // would cut it short (another key): refused instead. PostgreSQL's text
    // cannot hold one anyway.
    for (const auto p : params) {
        if (p.find('\0') != std::string_view::npos)
            return fail(PgError{"22021", "a text value contains a NUL byte"});
    }
    std::vector<std::string> owned(params.begin(), params.end());
    std::vector<const char*> values;
    values.reserve(owned.size());
    for (const auto& v : owned) values.push_back(v.c_str());
    if (PQsendQueryPrepared(c_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                            nullptr, 0) == 0)
        return fail(lost("sending to PostgreSQL failed: " + one_line(PQerrorMessage(c_))));
    return await(deadline);
}

Result<PgResult, PgError> PgConn::exec_sql(std::string_view sql, std::chrono::milliseconds timeout) {
    if (c_ == nullptr) return fail(PgError{"", "connection to PostgreSQL closed"});
    const auto deadline = Clock::now() + (timeout.count() > 0 ? timeout : bound_);
    const std::string text(sql);
    if (PQsendQuery(c_, text.c_str()) == 0)
        return fail(lost("sending to PostgreSQL failed: " + one_line(PQerrorMessage(c_))));
    return await(deadline);
}

// ---- PgTransaction ----

Result<PgTransaction, PgError> PgTransaction::begin(PgConn& c) {
    if (auto r = c.exec_sql("BEGIN"); !r) return fail(r.error());
    return PgTransaction(c);
}

Result<Ok, PgError> PgTransaction::commit() {
    PgConn* c = c_;
    c_ = nullptr;
    if (auto r = c->exec_sql("COMMIT"); !r) return fail(r.error());
    return Ok{};
}

PgTransaction::~PgTransaction() {
    // A failed ROLLBACK closes the connection: the pool drops it.
    if (c_ != nullptr && !c_->broken()) (void)c_->exec_sql("ROLLBACK");
}

// ---- PgPool ----

PgPool::PgPool(std::string conninfo, PgOptions options) : conninfo_(std::move(conninfo)), options_(options) {}

PgPool::Lease::~Lease() {
    if (pool_ != nullptr && conn_) pool_->release(std::move(conn_));
}

Result<PgPool::Lease, PgError> PgPool::acquire() {
    std::unique_lock lock(mu_);
    const auto deadline = Clock::now() + options_.pool_wait;
    while (idle_.empty() && out_ >= std::max(1, options_.pool_size)) {
        if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            out_ >= std::max(1, options_.pool_size))
            return fail(PgError{"", "no free PostgreSQL connection within " +
                                        std::to_string(options_.pool_wait.count()) + " ms"});
    }
    while (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        // A zero-timeout poll: cheap enough to do under the lock.
        if (!conn->still_open()) continue;
        ++out_;
        return Lease(this, std::move(conn));
    }
    if (Clock::now() < next_connect_)
        return fail(PgError{"", "PostgreSQL unreachable (waiting before the next connection attempt)"});
    ++out_;  // reserves the slot while connecting without the lock
    lock.unlock();
    auto conn = PgConn::connect(conninfo_, options_);
    lock.lock();
    if (!conn) {
        --out_;
        ++failures_;
        auto wait = options_.backoff_min * (1LL << std::min(failures_ - 1, 20));
        next_connect_ = Clock::now() + std::min<std::chrono::milliseconds>(wait, options_.backoff_max);
        freed_.notify_one();
        return fail(conn.error());
    }
    failures_ = 0;
    return Lease(this, std::move(conn).value());
}

void PgPool::release(std::unique_ptr<PgConn> conn) {
    std::vector<std::unique_ptr<PgConn>> dropped;
    {
        std::lock_guard lock(mu_);
        --out_;
        if (conn->reusable()) {
            idle_.push_back(std::move(conn));
        } else if (conn->broken()) {
            // A lost connection usually means a restarted or failed-over
            // server: the idle ones are dead too, and each would cost a call.
            dropped.swap(idle_);
        }
    }
    freed_.notify_one();
    // Closed outside the lock (PQfinish may write a goodbye to the socket).
}

}  // namespace gk::store
