// GCC 12 at -O3 inlines a coroutine's frame allocation (Asio's recycling
// operator new) and its matching operator delete into the caller, then
// reports them as mismatched (GCC PR 109224, a false positive for
// coroutines). Off for this file only, before any Asio header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "server/session.hpp"
#include "server/acme_alpn.hpp"        // acme: tls-alpn-01
#include "server/acme_challenges.hpp"  // acme

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <tuple>
#include <type_traits>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/head_check.hpp"
#include "gatekeeper/password/hash.hpp"
#include "server/access_log.hpp"
#include "server/attempt_view.hpp"
#include "server/client_cert.hpp"
#include "server/connection_cap.hpp"
#include "server/credential_view.hpp"
#include "server/decision_response.hpp"
#include "server/forward_auth.hpp"
#include "server/headers.hpp"
#include "server/idle_park.hpp"
#include "server/issuer_endpoints.hpp"
#include "server/nonce_count_view.hpp"
#include "server/proxy.hpp"
#include "server/redis_attempts.hpp"
#include "server/redis_nonce_counts.hpp"
#include "server/request_builder.hpp"
#include "server/transport_guard.hpp"

namespace gk::server {
namespace {

enum class HeadStatus { ok, closed, timeout, too_large, uri_too_long, bad, park };

// How a session ended: closed, closed to make room under the cap (no
// lingering: the slot is wanted now), or parked idle (idle_park.hpp).
enum class SessionEnd { closed, reclaimed, park };

// A deadline that cancels the pending read instead of closing the socket, as
// beast's own expiry does: a 408 must still be writable after it fires.
//
// One per connection, and lazy: arm() only moves a time point while a timer
// wait that ends no later is already pending; when that wait ends early it
// is simply started again for the time point. A keep-alive request costs no
// timer operation, only a clock read. The state is shared with the timer's
// handler, which may run after the connection is gone; it then finds no
// socket and does nothing.
class HeadDeadline {
public:
    using clock = std::chrono::steady_clock;

    explicit HeadDeadline(tcp::socket& sock) : timer_(sock.get_executor()), state_(std::make_shared<State>()) {
        state_->sock = &sock;
        state_->timer = &timer_;
    }
    HeadDeadline(const HeadDeadline&) = delete;
    HeadDeadline& operator=(const HeadDeadline&) = delete;
    ~HeadDeadline() {
        state_->sock = nullptr;
        state_->timer = nullptr;
        timer_.cancel();
    }
    void arm(clock::duration d) {
        auto& st = *state_;
        st.deadline = clock::now() + d;
        st.armed = true;
        st.expired = false;
        if (!st.waiting || st.wait_until > st.deadline) start(state_);
    }
    // The head arrived (or the read ended): nothing left to expire.
    void disarm() { state_->armed = false; }
    [[nodiscard]] bool expired() const { return state_->expired; }

private:
    struct State {
        tcp::socket* sock = nullptr;
        asio::steady_timer* timer = nullptr;
        clock::time_point deadline{};
        clock::time_point wait_until{};
        std::uint64_t generation = 0;  // the wait in force; older handlers do nothing
        bool waiting = false;
        bool armed = false;
        bool expired = false;
    };
    static void start(const std::shared_ptr<State>& sp) {
        auto& st = *sp;
        st.waiting = true;
        st.wait_until = st.deadline;
        const auto gen = ++st.generation;
        st.timer->expires_at(st.deadline);
        st.timer->async_wait([sp, gen](const error_code& ec) {
            auto& s = *sp;
            if (!s.sock || gen != s.generation) return;
            s.waiting = false;
            if (ec || !s.armed) return;
            if (clock::now() < s.deadline) {
                start(sp);  // moved on since this wait began
                return;
            }
            s.expired = true;
            s.armed = false;
            error_code ignored;
            s.sock->cancel(ignored);
        });
    }
    asio::steady_timer timer_;
    std::shared_ptr<State> state_;
};

// What an idle plain connection keeps for the next request head: most heads
// (curl, wrk, API clients) fit; a browser's larger one takes a second read.
constexpr std::size_t kIdleReadBuffer = 1024;

// 414 when the request line alone is over the limit (RFC 9112 3), else 431.
HeadStatus oversize_status(std::string_view head, const gate::Limits& lim) {
    return gate::request_line_too_long(head, lim.max_header_bytes) ? HeadStatus::uri_too_long
                                                                   : HeadStatus::too_large;
}

// Reads until the end of a request head (CRLF CRLF) without parsing it, so the
// raw bytes can be checked before Beast sees them (SECURITY.md 5.1). The head
// timeout counts from its first byte, so trickling bytes does not extend it.
// A plain keep-alive connection that stays idle for kParkAfter (and whose
// idle_timeout is longer) is answered `park`.
template <class Stream>
asio::awaitable<std::pair<HeadStatus, std::size_t>> read_head(Stream& s, beast::flat_buffer& buf,
                                                               const gate::Limits& lim, bool first,
                                                               HeadDeadline& deadline) {
    auto& low = beast::get_lowest_layer(s);
    low.expires_never();
    bool started = buf.size() > 0;
    bool parking = std::is_same_v<Stream, plain_stream> && !started && !first && lim.idle_timeout > kParkAfter;
    deadline.arm(started || first ? lim.header_timeout
                 : parking        ? std::chrono::duration_cast<HeadDeadline::clock::duration>(kParkAfter)
                                  : lim.idle_timeout);
    for (;;) {
        std::string_view d(static_cast<const char*>(buf.data().data()), buf.size());
        // RFC 9112 2.2: ignore empty lines before a request line.
        std::size_t skip = 0;
        while (d.substr(skip, 2) == "\r\n") skip += 2;
        if (skip) {
            buf.consume(skip);
            d.remove_prefix(skip);
        }
        auto end = d.find("\r\n\r\n");
        if (end != std::string_view::npos) {
            if (end + 4 > lim.max_header_bytes) co_return std::pair{oversize_status(d, lim), std::size_t{0}};
            co_return std::pair{HeadStatus::ok, end + 4};
        }
        // A bare LF will never become CRLF CRLF: refuse now rather than wait.
        for (std::size_t i = 0; i < d.size(); ++i)
            if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r')) co_return std::pair{HeadStatus::bad, std::size_t{0}};
        if (d.size() >= lim.max_header_bytes) co_return std::pair{oversize_status(d, lim), std::size_t{0}};
        if (!started && !d.empty()) {
            started = true;
            if (!first) deadline.arm(lim.header_timeout);
        }
        error_code ec;
        std::size_t n = 0;
        bool got = false;
        if constexpr (std::is_same_v<Stream, plain_stream>) {
            if (d.empty()) {
                // Between requests the connection keeps only a small buffer
                // (a larger head grows it for that request), so an idle
                // keep-alive connection costs no 16 KiB; nginx frees its header
                // buffer between requests too. A read rather than a readiness
                // wait: Asio's edge-triggered reactor re-arms a wait with an
                // epoll_ctl every time, a read it simply leaves queued.
                if (buf.capacity() > kIdleReadBuffer) buf.shrink_to_fit();
                std::tie(ec, n) = co_await s.socket().async_read_some(buf.prepare(kIdleReadBuffer), use_nothrow);
                if (parking) {
                    // Bytes that came as the park delay ran out are a request
                    // like any other; the head timeout starts with them.
                    if (ec) co_return std::pair{deadline.expired() ? HeadStatus::park : HeadStatus::closed, std::size_t{0}};
                    buf.commit(n);
                    parking = false;
                    continue;
                }
                if (!ec && !deadline.expired()) buf.commit(n);
                got = true;
            }
        }
        if (!ec && !got) {
            std::tie(ec, n) = co_await s.async_read_some(buf.prepare(16 * 1024), use_nothrow);
            if (!ec && !deadline.expired()) buf.commit(n);
        }
        if (deadline.expired())
            co_return std::pair{started ? HeadStatus::timeout : HeadStatus::closed, std::size_t{0}};
        if (ec) co_return std::pair{HeadStatus::closed, std::size_t{0}};
    }
}

template <class Stream>
asio::awaitable<bool> write_response(Stream& s, string_response& res, const gate::Limits& lim) {
    beast::get_lowest_layer(s).expires_after(lim.body_timeout);
    auto [ec, n] = co_await http::async_write(s, res, use_nothrow);
    co_return !ec;
}

// Runs fn() on the blocking pool (password hashes, database writes) and
// completes on the caller's executor. Plain handlers rather than co_spawn of
// a capturing lambda coroutine: GCC 12 freed that lambda's captures twice
// when it finished on another thread.
template <class T, class Fn, class Token>
auto run_blocking(asio::thread_pool& pool, Fn fn, Token&& token) {
    return asio::async_initiate<Token, void(T)>(
        [&pool](auto handler, Fn fn) {
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            asio::post(pool, [handler = std::move(handler), fn = std::move(fn), work = std::move(work)]() mutable {
                T result = fn();
                auto home = work.get_executor();
                asio::post(home, [handler = std::move(handler), result = std::move(result)]() mutable {
                    std::move(handler)(std::move(result));
                });
            });
        },
        token, std::move(fn));
}

template <class Token>
auto async_verify(asio::thread_pool& pool, std::string hash, Secret pw, Token&& token) {
    return run_blocking<bool>(
        pool,
        [hash = std::move(hash), pw = std::move(pw)] {
            auto r = password::verify(hash, pw.reveal());
            return r.ok() && r.value();
        },
        std::forward<Token>(token));
}

// Runs a password check off the I/O thread, with the credential cache in front.
gate::SchemeContext scheme_context(Worker& w, const Runtime& rt) {
    gate::SchemeContext ctx;
    ctx.digest_nonces = rt.digest_nonces.get();
    ctx.digest_counts = rt.digest_counts.get();
    ctx.key_sources = w.shared.key_sources ? &w.shared.key_sources->by_issuer() : nullptr;
    ctx.token_cache = &w.tokens;
    if (w.shared.issuer) {
        ctx.credentials = &w.shared.issuer->credentials();
        ctx.revoked_tokens = &w.shared.issuer->revoked();
    }
    ctx.attempts = w.shared.attempts.get();
    ctx.now = std::chrono::system_clock::now();
    return ctx;
}

// A session in use: its idle clock restarts, written off the I/O thread.
void record_session_use(Worker& w, const std::string& id_hash) {
    if (id_hash.empty() || !w.shared.issuer) return;
    auto& pool = w.shared.issuer->shared_store() ? *w.shared.store_pool : *w.shared.hash_pool;
    asio::post(pool, [svc = w.shared.issuer, id_hash] {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        (void)svc->store().touch_session(id_hash, now);
    });
}

// Everything a decision needs without waiting: public routes, refusals and
// credentials the cache already vouches for are settled here, with no
// coroutine frame. nullopt: the password must be hashed (decide_slow).
std::optional<gate::Decision> decide_now(Worker& w, const Runtime& rt, const gate::Request& req,
                                         const gate::SchemeContext& ctx, gate::Evaluation& ev, std::string& key) {
    ev = gate::evaluate(rt.policy, req, rt.directories, ctx);
    if (ev.decision) {
        record_session_use(w, ev.decision->touch_session);
        return std::move(*ev.decision);
    }
    auto& check = *ev.check;
    if (check.record) {
        key = w.cache.key_for(check.user, check.password.reveal(), check.stored_hash);
        if (w.cache.contains(key, std::chrono::steady_clock::now()))
            return gate::finish_password_check(*ev.route, check, true, rt.policy, ctx);
    }
    // The counters are down: no uncounted hashing, the 503 the gate prepared.
    if (check.unless_cached) return *check.unless_cached;
    return std::nullopt;
}

// The rest of decide_now's work: the password check on the blocking pool.
asio::awaitable<gate::Decision> decide_slow(Worker& w, const Runtime& rt, const gate::Evaluation& ev,
                                            const gate::SchemeContext& ctx, const std::string& key) {
    const auto& check = *ev.check;
    if (w.shared.hash_jobs.fetch_add(1) >= w.shared.max_hash_jobs) {
        w.shared.hash_jobs.fetch_sub(1);
        gate::Decision d;
        d.verdict = gate::Verdict::unavailable;
        d.route = ev.route;
        d.reason = "password verification queue full";
        d.public_detail = "The server is busy; retry shortly.";
        d.retry_after_seconds = 1;
        co_return d;
    }
    const bool ok = co_await async_verify(*w.shared.hash_pool, check.stored_hash, check.password, asio::use_awaitable);
    w.shared.hash_jobs.fetch_sub(1);
    if (ok && check.record) w.cache.remember(key, std::chrono::steady_clock::now());
    co_return gate::finish_password_check(*ev.route, check, ok, rt.policy, ctx);
}

// The counters the gate asked for, from Redis in one round trip.
asio::awaitable<void> fetch_attempts(RedisConnection& redis, AttemptView& view,
                                     const std::vector<AttemptView::Missing>& missing) {
    std::vector<RedisCommand> commands;
    for (const auto& m : missing)
        for (auto& c : redis_attempts::summary(redis.settings().redis_prefix, m.key, m.since_ms)) commands.push_back(std::move(c));
    const auto replies = co_await redis.run(std::move(commands));
    const std::span<const RedisResult> all(replies);
    constexpr auto n = redis_attempts::kSummaryReplies;
    for (std::size_t i = 0; i < missing.size(); ++i)
        view.answer(missing[i].key, redis_attempts::read_summary(all.subspan(i * n, n)));
}

// Each nonce count advanced atomically in Redis (redis_nonce_counts.hpp); in
// one pipelined round trip when a request somehow asked for several.
asio::awaitable<void> fetch_nonce_counts(RedisConnection& redis, NonceCountView& view,
                                         const std::vector<NonceCountView::Missing>& missing,
                                         std::chrono::seconds nonce_lifetime) {
    std::vector<RedisCommand> commands;
    for (const auto& m : missing)
        commands.push_back(redis_nonce_counts::advance(redis.settings().redis_prefix, m.nonce, m.nc, nonce_lifetime));
    const auto replies = co_await redis.run(std::move(commands));
    for (std::size_t i = 0; i < missing.size(); ++i) view.answer(missing[i], redis_nonce_counts::read_advance(replies[i]));
}

// After the decision: failures counted, successes forgotten. Awaited before
// the answer goes out, so that the client's next try, on any instance, sees
// it. Only failures and successes after failures write: the common request
// (a right password, nobody guessing) does not wait for it.
asio::awaitable<void> send_attempt_changes(RedisConnection& redis, std::vector<AttemptView::Change> changes) {
    const auto& prefix = redis.settings().redis_prefix;
    std::vector<RedisCommand> commands;
    for (const auto& c : changes) {
        if (c.kind == AttemptView::Change::Kind::forget) {
            commands.push_back(redis_attempts::forget(prefix, c.key, c.source));
        } else {
            for (auto& cmd : redis_attempts::add_failure(prefix, c.key, c.at_ms, c.source, c.since_ms))
                commands.push_back(std::move(cmd));
        }
    }
    auto replies = co_await redis.run(std::move(commands));
    if (auto ok = redis_attempts::check(replies); !ok) spdlog::warn("brute-force counters not updated: {}", ok.error());
}

// Sessions and API keys the gate asked for, from the shared database, on the
// store pool (libpq waits there, never on an event loop).
asio::awaitable<void> fetch_credentials(Worker& w, CredentialView& view, std::vector<CredentialView::Missing> missing) {
    struct Answers {
        std::vector<CredentialView::SessionAnswer> sessions;
        std::vector<CredentialView::ApiKeyAnswer> api_keys;
    };
    // Raw pointers only (see the issuer endpoints below: GCC 12 destroys a
    // lambda's captures in a co_await expression twice). Both outlive the job:
    // the service lives as long as the server, `missing` in this suspended frame.
    const auto job = [svc = w.shared.issuer.get(), wanted = &missing] {
        Answers a;
        for (const auto& m : *wanted) {
            if (m.kind == CredentialView::Missing::Kind::session) a.sessions.push_back(svc->credentials().find_session(m.hash));
            else a.api_keys.push_back(svc->credentials().find_api_key(m.hash));
        }
        return a;
    };
    auto answers = co_await run_blocking<Answers>(*w.shared.store_pool, job, asio::use_awaitable);
    std::size_t si = 0, ai = 0;
    for (const auto& m : missing) {
        if (m.kind == CredentialView::Missing::Kind::session) view.answer_session(m.hash, std::move(answers.sessions[si++]));
        else view.answer_api_key(m.hash, std::move(answers.api_keys[ai++]));
    }
}

// True when some state a decision reads lives on another server (Redis
// counters, a shared database): decide through views (decide_shared).
bool decides_through_views(const Worker& w) { return w.redis || (w.shared.issuer && w.shared.issuer->shared_store()); }

// With state on other servers: the gate runs, says what it needs, that is
// fetched without blocking this thread, and it runs again (at most four
// rounds; what is still missing then fails closed).
asio::awaitable<gate::Decision> decide_shared(Worker& w, const Runtime& rt, const gate::Request& req) {
    auto ctx = scheme_context(w, rt);
    AttemptView attempts;
    CredentialView credentials;
    NonceCountView nonce_counts;
    if (w.redis) {
        ctx.attempts = &attempts;
        ctx.digest_counts = &nonce_counts;
    }
    if (ctx.credentials && w.shared.issuer->shared_store()) ctx.credentials = &credentials;
    gate::Evaluation ev;
    std::string key;
    std::optional<gate::Decision> d;
    for (int round = 0;; ++round) {
        d = decide_now(w, rt, req, ctx, ev, key);
        auto counters = attempts.take_missing();
        auto records = credentials.take_missing();
        auto counts = nonce_counts.take_missing();
        if ((counters.empty() && records.empty() && counts.empty()) || round == 3) break;
        attempts.drop_changes();
        if (!counters.empty()) co_await fetch_attempts(*w.redis, attempts, counters);
        if (!counts.empty()) co_await fetch_nonce_counts(*w.redis, nonce_counts, counts, rt.policy.digest.nonce_lifetime);
        if (!records.empty()) co_await fetch_credentials(w, credentials, std::move(records));
    }
    if (!d) d = co_await decide_slow(w, rt, ev, ctx, key);
    if (auto changes = attempts.take_changes(); !changes.empty()) co_await send_attempt_changes(*w.redis, std::move(changes));
    co_return std::move(*d);
}

asio::awaitable<gate::Decision> decide(Worker& w, const Runtime& rt, const gate::Request& req) {
    if (decides_through_views(w)) co_return co_await decide_shared(w, rt, req);
    const auto ctx = scheme_context(w, rt);
    gate::Evaluation ev;
    std::string key;
    auto d = decide_now(w, rt, req, ctx, ev, key);
    if (!d) d = co_await decide_slow(w, rt, ev, ctx, key);
    co_return std::move(*d);
}

string_response small_json(http::status status, std::string body, unsigned version) {
    string_response res{status, version};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

// Refused password attempts and lock-outs go to the audit log; a verified
// credential on an ordinary request does not (that is the access log's job).
void audit_decision(const Worker& w, const gate::Decision& d, const gate::Request& req) {
    if (!w.shared.audit) return;
    const char* event = nullptr;
    if (d.verdict == gate::Verdict::too_many) event = "auth.locked";
    else if (d.verdict == gate::Verdict::challenge && (!d.presented_user.empty() || d.scheme == "apikey"))
        event = "auth.failure";
    if (!event) return;
    w.shared.audit->record(event, {{"client", req.client_address},
                                   {"user", d.presented_user},
                                   {"scheme", d.scheme},
                                   {"route", d.route ? std::string_view(d.route->name) : std::string_view()},
                                   {"reason", d.reason}});
}

void fill_log(AccessRecord& log, const gate::Decision& d) {
    if (d.route) log.route = d.route->name;
    log.scheme = d.scheme;
    if (d.identity) log.user = d.identity->user;
    log.reason = d.reason;
}

// gatekeeper's own endpoints under /.gatekeeper/.
asio::awaitable<string_response> own_endpoint(Worker& w, const Runtime& rt, const gate::Request& req,
                                             const ConnInfo& info, unsigned version, AccessRecord& log) {
    const auto accept = req.get("Accept").value_or("");
    if (req.path == "/.gatekeeper/healthz") {
        log.route = "healthz";
        co_return small_json(http::status::ok, "{\"status\":\"ok\"}\n", version);
    }
    if (req.path == "/.gatekeeper/readyz") {
        log.route = "readyz";
        for (const auto& [name, dir] : rt.directories)
            if (!dir || !dir->healthy())
                co_return small_json(http::status::service_unavailable,
                                     "{\"status\":\"unavailable\",\"user_source\":\"" + json_escape(name) + "\"}\n",
                                     version);
        // Shared state is reported, not judged: every instance shares it, so
        // taking instances out of the balancer during an outage helps nobody
        // and turns honest 503s into refused connections (docs/deployment.md).
        // Redis is asked (one PING, bounded by its timeout); PostgreSQL is
        // judged by the issuer's every-second read, so the probe costs no query.
        std::string state;
        if (w.redis) {
            RedisCommand ping{std::string("PING")};  // named: GCC 12 mishandles braced temporaries across co_await
            auto pong = co_await w.redis->call(std::move(ping));
            state += std::string(",\"redis\":\"") + (pong && !pong->is_error() ? "ok" : "unreachable") + "\"";
        }
        if (w.shared.issuer && w.shared.issuer->shared_store())
            state += std::string(",\"postgres\":\"") + (w.shared.issuer->store_answered() ? "ok" : "unreachable") + "\"";
        co_return small_json(http::status::ok, "{\"status\":\"ready\"" + state + "}\n", version);
    }
    if (req.path == kForwardAuthPath || req.path.starts_with(std::string(kForwardAuthPath) + "/")) {
        auto original = original_request(req, info.trusted);
        if (!original) {
            log.reason = original.error();
            co_return error_response(http::status::bad_request, original.error(), accept, version);
        }
        log.method = original->method;
        log.path = original->path;
        auto d = co_await decide(w, rt, *original);
        audit_decision(w, d, *original);
        fill_log(log, d);
        if (d.verdict == gate::Verdict::redirect && d.route &&
            (req.get("X-Original-URI") || req.get("X-Original-URL"))) {
            // nginx auth_request answers 500 for anything but 2xx, 401 and 403:
            // say 401 and name the login URL; the nginx recipe redirects the
            // browser there (auth_request_set + error_page 401).
            d.verdict = gate::Verdict::challenge;
            d.challenges = gate::challenges_for(*d.route, rt.policy, scheme_context(w, rt));
            d.public_detail = "Authentication is required to access this resource.";
            auto res = decision_response(d, accept, version);
            res.set("X-Auth-Request-Redirect", d.location);
            co_return res;
        }
        if (d.verdict == gate::Verdict::allow) {
            // Envoy's HTTP ext_authz accepts exactly 200 as "allowed".
            string_response res{http::status::ok, version};
            res.set(http::field::cache_control, "no-store");
            if (d.identity) set_identity_headers(res, *d.identity, rt.policy.identity_headers);
            for (const auto& [name, value] : d.response_headers) res.set(name, value);
            res.prepare_payload();
            co_return res;
        }
        co_return decision_response(d, accept, version);
    }
    log.route = "gatekeeper";
    co_return error_response(http::status::not_found, "No such gatekeeper endpoint.", accept, version);
}

template <class Stream>
asio::awaitable<bool> handle_one(Worker& w, Stream& s, beast::flat_buffer& buf, const ConnInfo& info,
                                 std::size_t head_len) {
    auto runtime = w.runtime;  // one snapshot for the whole request
    const auto& rt = *runtime;
    const auto& lim = rt.policy.limits;
    AccessRecord log;
    log.client = info.peer_text;

    std::string_view raw(static_cast<const char*>(buf.data().data()), head_len);
    auto facts = gate::check_request_head(raw);
    if (!facts) {
        auto res = error_response(http::status::bad_request, "Malformed request.", "", 11);
        add_hsts(res, rt.policy, info.tls);
        res.keep_alive(false);
        log.status = 400;
        log.reason = std::string("bad head: ") + gate::to_string(facts.error());
        co_await write_response(s, res, lim);
        if (rt.policy.access_log) write_access_log(*w.shared.access_log, log);
        co_return false;
    }

    http::request_parser<http::buffer_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(lim.max_header_bytes + 1));
    parser.body_limit(lim.max_body_bytes);
    error_code ec;
    const auto used = parser.put(asio::buffer(buf.data().data(), head_len), ec);
    if (!ec && !parser.is_header_done()) ec = http::error::partial_message;
    if (ec) {
        const bool too_big = ec == http::error::body_limit;
        auto res = error_response(too_big ? http::status::payload_too_large : http::status::bad_request,
                                  too_big ? "The request body is too large." : "Malformed request.", "",
                                  facts->version_minor == 0 ? 10 : 11);
        add_hsts(res, rt.policy, info.tls);
        res.keep_alive(false);
        log.status = static_cast<int>(res.result_int());
        log.reason = "parse: " + ec.message();
        co_await write_response(s, res, lim);
        if (rt.policy.access_log) write_access_log(*w.shared.access_log, log);
        co_return false;
    }
    buf.consume(used);
    auto& req = parser.get();
    const unsigned version = req.version();
    const std::string accept(req[http::field::accept]);
    log.method = std::string(req.method_string());

    auto greq = build_gate_request(req, info, rt.policy.trusted_proxies);
    if (!greq) {
        auto res = error_response(http::status::bad_request, greq.error(), accept, version);
        add_hsts(res, rt.policy, info.tls);
        res.keep_alive(false);
        log.status = 400;
        log.reason = greq.error();
        co_await write_response(s, res, lim);
        if (rt.policy.access_log) write_access_log(*w.shared.access_log, log);
        co_return false;
    }
    log.path = greq->path;
    const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;

    auto finish = [&](string_response res, bool keep) -> asio::awaitable<bool> {
        // An unread body would be taken for the next request: close instead.
        const bool keep_alive = keep && req.keep_alive() && !w.draining && (!has_body || parser.is_done());
        res.keep_alive(keep_alive);
        add_hsts(res, rt.policy, greq->secure);
        log.status = static_cast<int>(res.result_int());
        const bool ok = co_await write_response(s, res, lim);
        if (rt.policy.access_log) write_access_log(*w.shared.access_log, log);
        co_return ok && keep_alive;
    };

    // Plain HTTP on a network listener: redirected, or refused when it
    // carries a credential, before anything else sees the request.
    if (auto answer = transport_response(w, rt.policy, info, *greq, version, log))
        co_return co_await finish(std::move(*answer), true);

    if (greq->path.starts_with("/.gatekeeper/") || greq->path.starts_with("/.well-known/")) {
        if (greq->method == "POST" && takes_form_body(greq->path) && has_body) {
            auto [bec, body] = co_await read_whole_body(s, buf, parser, kMaxFormBody, lim.body_timeout);
            if (bec) {
                const bool too_big = bec == http::error::body_limit;
                log.reason = too_big ? "form body over 64 KiB" : "form body: " + bec.message();
                co_return co_await finish(error_response(too_big ? http::status::payload_too_large
                                                                 : http::status::bad_request,
                                                         too_big ? "The form is too large." : "The form could not be read.",
                                                         accept, version),
                                          false);
            }
            greq->body = std::move(body);
        }
        std::optional<string_response> mine;
        if (greq->path.starts_with("/.well-known/") || takes_form_body(greq->path) || greq->path == "/.gatekeeper/authorize") {
            // Password hashes and database writes: on the blocking pool, not this event loop.
            // Raw pointers only: GCC 12 destroys the captures of a lambda in a
            // co_await expression twice, and a shared_ptr there frees its object.
            // The service lives as long as the server; `runtime` outlives this call.
            const auto job = [svc = w.shared.issuer.get(), rtp = &rt, req = &*greq, version, logp = &log,
                              attempts = w.shared.attempts.get(), audit = w.shared.audit.get()] {
                return issuer_endpoint(svc, *rtp, *req, version, *logp, attempts, audit);
            };
            mine = co_await run_blocking<std::optional<string_response>>(*w.shared.hash_pool, job, asio::use_awaitable);
        }
        if (!mine && greq->path.starts_with("/.well-known/"))
            mine = error_response(http::status::not_found, "No such resource.", accept, version);
        // No co_await inside ?: — GCC 12 mishandles the temporaries of a conditional around one.
        if (!mine) mine = co_await own_endpoint(w, rt, *greq, info, version, log);
        co_return co_await finish(std::move(*mine), true);
    }

    if (gate::needs_request_body(rt.policy, *greq)) {
        // Digest auth-int hashes the body: read it whole (bounded) before deciding.
        auto [bec, body] = co_await read_whole_body(s, buf, parser, rt.policy.digest.auth_int_max_body, lim.body_timeout);
        if (bec) {
            const bool too_big = bec == http::error::body_limit;
            log.reason = too_big ? "request body over digest.auth_int_max_body" : "request body: " + bec.message();
            co_return co_await finish(error_response(too_big ? http::status::payload_too_large : http::status::bad_request,
                                                     too_big ? "The request body is too large for Digest auth-int."
                                                             : "The request body could not be read.",
                                                     accept, version),
                                      false);
        }
        greq->body = std::move(body);
    }
    // Settled without a coroutine frame unless a password must be hashed
    // (or state on another server must be fetched: decide_shared).
    std::optional<gate::Decision> decided;
    if (decides_through_views(w)) {
        decided = co_await decide_shared(w, rt, *greq);
    } else {
        const auto dctx = scheme_context(w, rt);
        gate::Evaluation ev;
        std::string cache_key;
        decided = decide_now(w, rt, *greq, dctx, ev, cache_key);
        if (!decided) decided = co_await decide_slow(w, rt, ev, dctx, cache_key);
    }
    auto& d = *decided;
    audit_decision(w, d, *greq);
    fill_log(log, d);
    if (d.verdict != gate::Verdict::allow) co_return co_await finish(decision_response(d, accept, version), true);

    if (d.route && d.route->static_files) {
        auto site = rt.static_sites.find(d.route->name);
        if (site == rt.static_sites.end())  // loaded with the config: cannot happen, but never serve blind
            co_return co_await finish(error_response(http::status::service_unavailable, "Files unavailable.", accept, version), true);
        auto res = static_response(*site->second, *greq, path_below_route(*d.route, greq->path), accept, version);
        for (const auto& [name, value] : d.response_headers) res.set(name, value);
        co_return co_await finish(std::move(res), true);
    }
    const gate::Upstream* up = d.route && !d.route->upstream.empty() ? rt.policy.upstream(d.route->upstream) : nullptr;
    if (!up) {
        std::string body = "{\"status\":\"allowed\"";
        if (d.identity) body += ",\"user\":\"" + json_escape(d.identity->user) + "\"";
        body += "}\n";
        auto res = small_json(http::status::ok, body, version);
        for (const auto& [name, value] : d.response_headers) res.set(name, value);
        co_return co_await finish(std::move(res), true);
    }

    ProxyContext ctx{w, rt, *up, info, *greq, d, log, greq->body ? std::string_view(*greq->body) : std::string_view()};
    auto outcome = co_await proxy_request(ctx, s, buf, parser);
    if (outcome.error_response) co_return co_await finish(std::move(*outcome.error_response), false);
    log.status = outcome.status;
    if (rt.policy.access_log) write_access_log(*w.shared.access_log, log);
    co_return outcome.keep_alive && !w.draining;
}

// `conn` is the session's entry among the connections waiting for a head;
// when the session parks, it is left in place for the parked connection.
template <class Stream>
asio::awaitable<SessionEnd> session_loop(Worker& w, Stream& s, const ConnInfo& info, Connection& conn) {
    beast::flat_buffer buf;
    HeadDeadline deadline(*conn.socket);
    bool first = true;
    for (;;) {
        if (w.draining && buf.size() == 0) break;
        auto lim = w.runtime->policy.limits;
        w.waiting.push_back(conn);
        auto [st, head_len] = co_await read_head(s, buf, lim, first, deadline);
        deadline.disarm();
        if (st == HeadStatus::park && !conn.reclaimed && !w.draining) co_return SessionEnd::park;
        conn.unlink();
        first = false;
        // Reclaimed while a head was already on its way: the slot is given away.
        if (st == HeadStatus::closed || st == HeadStatus::park || conn.reclaimed) break;
        if (st != HeadStatus::ok) {
            const auto status = st == HeadStatus::timeout     ? http::status::request_timeout
                                : st == HeadStatus::too_large ? http::status::request_header_fields_too_large
                                : st == HeadStatus::uri_too_long ? http::status::uri_too_long
                                                                 : http::status::bad_request;
            auto res = error_response(status,
                                      st == HeadStatus::timeout ? "The request head did not arrive in time."
                                      : st == HeadStatus::too_large    ? "The request head is too large."
                                      : st == HeadStatus::uri_too_long ? "The request target is too long."
                                                                       : "Malformed request.",
                                      "", 11);
            add_hsts(res, w.runtime->policy, info.tls);
            res.keep_alive(false);
            co_await write_response(s, res, lim);
            AccessRecord log;
            log.client = info.peer_text;
            log.status = static_cast<int>(status);
            log.reason = "head";
            if (w.runtime->policy.access_log) write_access_log(*w.shared.access_log, log);
            break;
        }
        bool keep = false;
        try {
            keep = co_await handle_one(w, s, buf, info, head_len);
        } catch (const std::exception& e) {
            // Edge of the core: never let one request take the worker down.
            w.shared.access_log->error("{{\"error\":\"request failed\",\"what\":\"{}\"}}", json_escape(e.what()));
            keep = false;
        }
        if (!keep) break;
    }
    co_return conn.reclaimed ? SessionEnd::reclaimed : SessionEnd::closed;
}

// Closing a socket with unread input makes the kernel send RST, which can
// destroy a 413/400 still in flight to a client that is busy sending. So:
// half-close, then read and drop what still comes, bounded in time and bytes
// (what nginx calls lingering close).
// The bytes go to the worker's one discard buffer, not to a buffer of each
// closing connection: a crowd of clients leaving at once would otherwise
// hold 16 KiB each.
asio::awaitable<void> linger_close(Worker& w, plain_stream& s) {
    error_code ec;
    s.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::size_t drained = 0;
    s.expires_after(std::chrono::seconds(2));
    while (!ec && drained < (4u << 20)) {
        std::size_t n = 0;
        std::tie(ec, n) = co_await s.async_read_some(asio::buffer(w.discard), use_nothrow);
        drained += n;
    }
    s.close();
}

// True when the connection was handed over, with its slot, to the parked
// connections.
asio::awaitable<bool> run_plain_session(Worker& w, tcp::socket socket, ConnInfo info) {
    plain_stream s(std::move(socket));
    Connection conn;
    conn.socket = &s.socket();
    const auto end = co_await session_loop(w, s, info, conn);
    if (end == SessionEnd::park) {
        // The idle timeout counts from the end of the last request, as for a session.
        const auto rest = w.runtime->policy.limits.idle_timeout - kParkAfter;
        w.parked.park(w, s.release_socket(), std::move(info), conn, std::chrono::steady_clock::now() + rest);
        co_return true;
    }
    if (end == SessionEnd::reclaimed)
        s.close();
    else
        co_await linger_close(w, s);
    co_return false;
}

asio::awaitable<bool> run_tls_session(Worker& w, tcp::socket socket, ssl::context& ctx, ConnInfo info) {
    tls_stream s(std::move(socket), ctx);
    beast::get_lowest_layer(s).expires_after(w.runtime->policy.limits.header_timeout);
    auto [ec] = co_await s.async_handshake(ssl::stream_base::server, use_nothrow);
    if (!ec && selected_acme_tls(s.native_handle())) {
        // A TLS-ALPN-01 validation (RFC 8737 section 3): the handshake was the whole
        // exchange; no request is read on it, nothing is served.
        beast::get_lowest_layer(s).expires_after(std::chrono::seconds(2));
        co_await s.async_shutdown(use_nothrow);
    } else if (!ec) {
        info.client_cert = read_client_certificate(s.native_handle());
        Connection conn;
        conn.socket = &beast::get_lowest_layer(s).socket();
        // TLS sessions never park: the TLS state would have to stay anyway.
        const auto end = co_await session_loop(w, s, info, conn);
        if (end != SessionEnd::reclaimed) {
            beast::get_lowest_layer(s).expires_after(std::chrono::seconds(2));
            co_await s.async_shutdown(use_nothrow);
        }
    }
    beast::get_lowest_layer(s).close();
    co_return false;
}

}  // namespace

void spawn_session(Worker& w, tcp::socket socket, ssl::context* tls, ConnInfo info) {
    auto done = [&w](std::exception_ptr e, bool handed_over) {
        if (!handed_over) release_slot(w);
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                w.shared.access_log->error("{{\"error\":\"session failed\",\"what\":\"{}\"}}", ex.what());
            }
        }
    };
    if (tls)
        asio::co_spawn(w.ioc, run_tls_session(w, std::move(socket), *tls, std::move(info)), done);
    else
        asio::co_spawn(w.ioc, run_plain_session(w, std::move(socket), std::move(info)), done);
}

}  // namespace gk::server
