// state: where the state that several instances share lives: Redis for the
// brute-force counters, PostgreSQL for the issuer's durable state. Without
// the section everything stays in process memory and the SQLite file (one
// instance).
//
//   state:
//     redis: { address: 127.0.0.1, port: 6379, db: 0, timeout: 250ms, prefix: "gk:",
//              username: gatekeeper, password_file: redis-password }   # AUTH; both optional
//     postgres: { conninfo: "host=127.0.0.1 dbname=gatekeeper user=gatekeeper", pool: 8, timeout: 2s,
//                 audit: true }   # audit events also into the table audit_events
#include <arpa/inet.h>

#include <string>

#include "config/sections.hpp"

namespace gk::config::detail {
namespace {

// A host name or IP literal: what a TCP connect accepts, nothing that could
// smuggle a port, a path or a URL scheme in. A colon only in an IPv6 literal.
bool is_host(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    if (h.find(':') != std::string_view::npos) {
        unsigned char b[16];
        return inet_pton(AF_INET6, std::string(h).c_str(), b) == 1;
    }
    for (char c : h) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

void read_redis(Ctx& ctx, const Field& f, gate::SharedState& s) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"address", "port", "db", "timeout", "prefix", "username", "password_file"});
    if (auto* x = fields.get("address")) {
        if (auto v = read_string(ctx, *x)) {
            if (!is_host(*v))
                ctx.error(x->mark(), "redis address '" + *v + "' is not a host name or IP address",
                          "e.g. address: 127.0.0.1 (the port goes in 'port')");
            else s.redis_host = *v;
        }
    } else {
        ctx.error(f.mark(), "'redis' has no 'address'", "redis: { address: 127.0.0.1, port: 6379 }");
    }
    if (auto* x = fields.get("port"))
        if (auto n = read_uint(ctx, *x, 1, 65535)) s.redis_port = static_cast<std::uint16_t>(*n);
    if (auto* x = fields.get("db"))
        if (auto n = read_uint(ctx, *x, 0, 15)) s.redis_db = static_cast<unsigned>(*n);
    if (auto* x = fields.get("timeout")) {
        if (auto d = read_duration(ctx, *x)) {
            if (*d < std::chrono::milliseconds(10) || *d > std::chrono::seconds(10))
                ctx.error(x->mark(), "'timeout' must be between 10ms and 10s",
                          "every request that needs Redis waits at most this long before a 503");
            else s.redis_timeout = *d;
        }
    }
    if (auto* x = fields.get("prefix")) {
        if (auto v = read_string(ctx, *x)) {
            if (v->size() > 64) ctx.error(x->mark(), "'prefix' is longer than 64 characters");
            else s.redis_prefix = *v;
        }
    }
    if (auto* x = fields.get("password_file"))
        if (auto path = read_existing_file(ctx, *x)) s.redis_password_file = *path;
    if (auto* x = fields.get("username")) {
        if (auto v = read_string(ctx, *x)) {
            if (v->empty() || v->find_first_of(" \t\r\n") != std::string::npos)
                ctx.error(x->mark(), "'username' must be one word");
            else if (!fields.get("password_file"))
                ctx.error(x->mark(), "'username' without 'password_file'",
                          "username: gatekeeper, password_file: /etc/gatekeeper/redis-password");
            else s.redis_username = *v;
        }
    }
}

// A libpq keyword/value string or a postgresql:// URI. A password in it
// would sit in a file that is copied around and shown in reviews: refused,
// with libpq's passfile (or PGPASSFILE) as the way.
void read_postgres(Ctx& ctx, const Field& f, gate::SharedState& s) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"conninfo", "pool", "timeout", "audit"});
    if (auto* x = fields.get("conninfo")) {
        if (auto v = read_string(ctx, *x)) {
            const bool uri = v->starts_with("postgresql://") || v->starts_with("postgres://");
            std::string lower;
            for (char c : *v) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            const auto at = uri ? v->find('@') : std::string::npos;
            const auto scheme_end = uri ? v->find("://") + 3 : 0;
            const bool uri_password = at != std::string::npos && v->substr(scheme_end, at - scheme_end).find(':') != std::string::npos;
            if (v->empty()) ctx.error(x->mark(), "'conninfo' is empty", "conninfo: \"host=127.0.0.1 dbname=gatekeeper user=gatekeeper\"");
            else if (uri_password || lower.find("password=") != std::string::npos)
                ctx.error(x->mark(), "'conninfo' holds a password",
                          "put it in a passfile (conninfo: \"... passfile=/etc/gatekeeper/pgpass\") or PGPASSFILE");
            else s.postgres = *v;
        }
    } else {
        ctx.error(f.mark(), "'postgres' has no 'conninfo'", "postgres: { conninfo: \"host=127.0.0.1 dbname=gatekeeper\" }");
    }
    if (auto* x = fields.get("pool"))
        if (auto n = read_uint(ctx, *x, 1, 256)) s.postgres_pool = static_cast<unsigned>(*n);
    if (auto* x = fields.get("timeout")) {
        if (auto d = read_duration(ctx, *x)) {
            if (*d < std::chrono::milliseconds(100) || *d > std::chrono::seconds(60))
                ctx.error(x->mark(), "'timeout' must be between 100ms and 60s");
            else s.postgres_timeout = *d;
        }
    }
    if (auto* x = fields.get("audit"))
        if (auto b = read_bool(ctx, *x)) s.postgres_audit = *b;
}

}  // namespace

void read_state(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"redis", "postgres"});
    if (auto* x = fields.get("redis")) read_redis(ctx, *x, policy.state);
    if (auto* x = fields.get("postgres")) read_postgres(ctx, *x, policy.state);
}

}  // namespace gk::config::detail
