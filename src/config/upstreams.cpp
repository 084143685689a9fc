// upstreams: named backends that routes proxy to.
#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {

void read_upstreams(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    for (const auto& entry : entries(ctx, f.value)) {
        gate::Upstream up;
        up.name = entry.key;
        up.line = entry.key_mark.line + 1;
        if (!is_token(up.name))
            ctx.error(entry.key_mark, "upstream name '" + up.name + "' is not a plain name",
                      "use letters, digits, '-', '_' or '.'");
        // Shorthand `app: http://...` is not in the schema; say what is.
        if (!entry.value.IsMap()) {
            ctx.error(entry.mark(), "upstream '" + up.name + "' must be a mapping",
                      up.name + ": { url: http://127.0.0.1:3000 }");
            continue;
        }
        Fields fields(ctx, entry.value,
                      {"url", "connect_timeout", "response_timeout", "tls_verify", "ca_file", "max_idle_per_thread"});
        if (auto* x = fields.get("url")) {
            if (auto s = read_string(ctx, *x)) {
                up.url = *s;
                if (auto u = parse_upstream_url(*s)) {
                    up.tls = u->tls;
                    up.host = u->host;
                    up.port = u->port;
                    up.base_path = u->base_path;
                } else {
                    ctx.error(x->mark(), u.error().message, u.error().hint);
                }
            }
        } else {
            ctx.error(entry.key_mark, "upstream '" + up.name + "' has no 'url'", "url: http://127.0.0.1:3000");
        }
        if (auto* x = fields.get("connect_timeout")) {
            if (auto d = read_duration(ctx, *x)) up.connect_timeout = *d;
        }
        if (auto* x = fields.get("response_timeout")) {
            if (auto d = read_duration(ctx, *x)) up.response_timeout = *d;
        }
        if (auto* x = fields.get("tls_verify")) {
            if (auto b = read_bool(ctx, *x)) up.verify_tls = *b;
        }
        if (auto* x = fields.get("ca_file")) {
            if (auto p = read_existing_file(ctx, *x)) up.ca_file = *p;
        }
        if (auto* x = fields.get("max_idle_per_thread")) {
            if (auto n = read_uint(ctx, *x, 0, 4096)) up.max_idle_per_thread = *n;
        }
        policy.upstreams.push_back(std::move(up));
    }
}

}  // namespace gk::config::detail
