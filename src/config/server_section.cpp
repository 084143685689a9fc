// server: threads, trusted_proxies, access_log, state_dir, limits; and the
// identity_headers section, which is as small.
#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"
#include "gatekeeper/gate/transport.hpp"

namespace gk::config::detail {
namespace {

void read_limits(Ctx& ctx, const Field& f, gate::Limits& limits) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value,
                  {"max_header_bytes", "max_body_bytes", "header_timeout", "idle_timeout", "body_timeout",
                   "shutdown_grace", "credential_cache_ttl", "credential_cache_entries", "max_connections"});
    if (auto* x = fields.get("max_header_bytes")) {
        // Below 1 KiB not even an ordinary browser request head fits.
        if (auto n = read_uint(ctx, *x, 1024, 16u << 20)) limits.max_header_bytes = *n;
    }
    if (auto* x = fields.get("max_body_bytes")) {
        if (auto n = read_uint(ctx, *x, 1, UINT64_MAX)) limits.max_body_bytes = *n;
    }
    if (auto* x = fields.get("header_timeout")) {
        if (auto d = read_duration(ctx, *x)) limits.header_timeout = *d;
    }
    if (auto* x = fields.get("idle_timeout")) {
        if (auto d = read_duration(ctx, *x)) limits.idle_timeout = *d;
    }
    if (auto* x = fields.get("body_timeout")) {
        if (auto d = read_duration(ctx, *x)) limits.body_timeout = *d;
    }
    if (auto* x = fields.get("shutdown_grace")) {
        if (auto d = read_duration(ctx, *x)) limits.shutdown_grace = *d;
    }
    if (auto* x = fields.get("credential_cache_ttl")) {
        if (auto d = read_duration(ctx, *x)) limits.credential_cache_ttl = *d;
    }
    if (auto* x = fields.get("credential_cache_entries")) {
        if (auto n = read_uint(ctx, *x, 0, 10'000'000)) limits.credential_cache_entries = *n;
    }
    if (auto* x = fields.get("max_connections")) {
        // Each connection costs a file descriptor, and a proxied one two: far
        // beyond what any open-file limit allows is a typo, not a plan.
        if (auto n = read_uint(ctx, *x, 1, 10'000'000)) limits.max_connections = *n;
    }
}

void read_trusted_proxies(Ctx& ctx, const Field& f, gate::Policy& policy) {
    auto items = read_string_list(ctx, f);
    if (!items) return;
    // An explicit empty list means: trust no proxy at all.
    policy.trusted_proxies.clear();
    for (const auto& item : *items) {
        auto cidr = parse_cidr(item.text);
        if (!cidr) {
            ctx.error(item.mark, "trusted_proxies: " + cidr.error().message, cidr.error().hint);
            continue;
        }
        policy.trusted_proxies.push_back(std::move(cidr.value()));
    }
}

void read_header_names(Ctx& ctx, const Field& f, std::vector<std::string>& out) {
    auto items = read_string_list(ctx, f);
    if (!items) return;
    out.clear();  // an empty list turns that header off
    for (const auto& item : *items) {
        if (!is_token(item.text)) {
            ctx.error(item.mark, "'" + item.text + "' is not a valid header name",
                      "header names are RFC 9110 tokens: letters, digits and !#$%&'*+-.^_`|~");
            continue;
        }
        out.push_back(item.text);
    }
}

// max_age in seconds, with a unit (365d): a bare number means milliseconds
// elsewhere in the config but seconds in the header, so neither is guessed.
// 0 is allowed: it tells browsers to forget the host's HSTS (RFC 6797 6.1.1).
std::optional<std::chrono::seconds> read_hsts_max_age(Ctx& ctx, const Field& f) {
    auto s = read_string(ctx, f);
    if (!s) return std::nullopt;
    if (*s == "0") return std::chrono::seconds(0);
    const bool bare = !s->empty() && s->find_first_not_of("0123456789") == std::string::npos;
    std::optional<std::chrono::milliseconds> d;
    if (!bare)
        if (auto parsed = parse_duration(*s)) d = *parsed;
    if (!d || d->count() % 1000 != 0) {
        ctx.error(f.mark(), "'max_age' must be a whole number of seconds with a unit, or 0",
                  "e.g. max_age: 365d (31536000 seconds); 0 makes browsers forget HSTS");
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

// hsts: off | { max_age, include_subdomains, preload }.
void read_hsts(Ctx& ctx, const Field& f, gate::Policy& policy) {
    auto& h = policy.hsts;
    if (f.value.IsScalar()) {
        const auto& v = f.value.Scalar();
        if (v == "off" || v == "false") h.enabled = false;
        else if (v == "on" || v == "true") h.enabled = true;
        else ctx.error(f.mark(), "'hsts' must be off, on or a mapping", "hsts: { max_age: 365d, include_subdomains: true }");
    } else if (expect_map(ctx, f)) {
        h.enabled = true;
        Fields fields(ctx, f.value, {"max_age", "include_subdomains", "preload"});
        if (auto* x = fields.get("max_age")) {
            if (auto d = read_hsts_max_age(ctx, *x)) h.max_age = *d;
        }
        if (auto* x = fields.get("include_subdomains")) {
            if (auto b = read_bool(ctx, *x)) h.include_subdomains = *b;
        }
        if (auto* x = fields.get("preload")) {
            if (auto b = read_bool(ctx, *x)) h.preload = *b;
            // What the preload list accepts (hstspreload.org): asking for it
            // without these only gets the site refused there.
            if (h.preload && (!h.include_subdomains || h.max_age < std::chrono::seconds(31536000)))
                ctx.error(x->mark(), "hsts 'preload' needs include_subdomains: true and max_age of at least 365d",
                          "the browsers' preload list refuses anything less");
        }
    }
    policy.hsts_header = gate::hsts_value(h);
}

}  // namespace

void read_server(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"threads", "trusted_proxies", "access_log", "audit_log", "state_dir", "limits", "hsts"});
    if (auto* x = fields.get("threads")) {
        if (auto n = read_uint(ctx, *x, 0, 256)) policy.threads = static_cast<unsigned>(*n);
    }
    if (auto* x = fields.get("trusted_proxies")) read_trusted_proxies(ctx, *x, policy);
    if (auto* x = fields.get("access_log")) {
        if (auto b = read_bool(ctx, *x)) policy.access_log = *b;
    }
    if (auto* x = fields.get("state_dir")) {
        if (auto s = read_string(ctx, *x)) {
            if (s->empty()) ctx.error(x->mark(), "'state_dir' must not be empty", "e.g. ./state");
            else policy.state_dir = ctx.resolve(*s);
        }
    }
    if (auto* x = fields.get("limits")) read_limits(ctx, *x, policy.limits);
    if (auto* x = fields.get("hsts")) read_hsts(ctx, *x, policy);
    // After state_dir: the default audit log lives there.
    policy.audit_log = policy.state_dir + "/audit.log";
    if (auto* x = fields.get("audit_log")) {
        if (auto s = read_string(ctx, *x)) {
            if (*s == "off" || *s == "false") policy.audit_log.clear();
            else if (s->empty()) ctx.error(x->mark(), "'audit_log' must not be empty", "a file path, or off");
            else policy.audit_log = ctx.resolve(*s);
        }
    }
}

void read_identity_headers(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"user", "email", "groups", "scopes"});
    if (auto* x = fields.get("user")) read_header_names(ctx, *x, policy.identity_headers.user);
    if (auto* x = fields.get("email")) read_header_names(ctx, *x, policy.identity_headers.email);
    if (auto* x = fields.get("groups")) read_header_names(ctx, *x, policy.identity_headers.groups);
    if (auto* x = fields.get("scopes")) read_header_names(ctx, *x, policy.identity_headers.scopes);
}

}  // namespace gk::config::detail
