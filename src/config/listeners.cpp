// listeners: where gatekeeper accepts connections, plain or TLS.
#include <utility>

#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {
namespace {

void read_tls(Ctx& ctx, const Field& f, gate::Listener& l) {
    if (!f.value.IsMap()) {
        ctx.error(f.mark(), "'tls' must be a mapping with cert and key", "tls: { cert: cert.pem, key: key.pem }");
        return;
    }
    l.tls = true;
    Fields fields(ctx, f.value, {"cert", "key"});
    const Field* cert = fields.get("cert");
    const Field* key = fields.get("key");
    if (!cert || !key)
        ctx.error(f.mark(), std::string("tls needs ") + (!cert && !key ? "'cert' and 'key'" : !cert ? "'cert'" : "'key'"),
                  "tls: { cert: cert.pem, key: key.pem } (PEM files)");
    if (cert) {
        if (auto p = read_existing_file(ctx, *cert)) l.cert_file = *p;
    }
    if (key) {
        if (auto p = read_existing_file(ctx, *key)) l.key_file = *p;
    }
}

}  // namespace

void read_listeners(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!f.value.IsSequence()) {
        ctx.error(f.mark(), "'listeners' must be a list", "listeners:\n  - { address: 127.0.0.1, port: 8080 }");
        return;
    }
    // Address bytes + port, to catch two listeners fighting over one socket.
    std::vector<std::pair<std::vector<std::uint8_t>, std::uint16_t>> seen;
    for (const auto& node : f.value) {
        if (!expect_map(ctx, node, "a listener")) continue;
        gate::Listener l;
        l.line = node.Mark().line + 1;
        Fields fields(ctx, node, {"address", "port", "tls"});
        std::vector<std::uint8_t> addr_bytes;
        bool ok = true;
        if (auto* x = fields.get("address")) {
            if (auto s = read_string(ctx, *x)) {
                addr_bytes = parse_ip(*s);
                if (addr_bytes.empty()) {
                    ctx.error(x->mark(), "listener address '" + *s + "' is not an IPv4 or IPv6 address",
                              "e.g. 127.0.0.1, 0.0.0.0 or \"::1\" (names are not resolved here)");
                    ok = false;
                }
                l.address = *s;
            } else {
                ok = false;
            }
        } else {
            addr_bytes = parse_ip(l.address);
        }
        if (auto* x = fields.get("port")) {
            if (auto n = read_uint(ctx, *x, 1, 65535)) l.port = static_cast<std::uint16_t>(*n);
            else ok = false;
        } else {
            ctx.error(node.Mark(), "listener has no 'port'", "e.g. { address: 127.0.0.1, port: 8080 }");
            ok = false;
        }
        if (auto* x = fields.get("tls")) read_tls(ctx, *x, l);
        if (ok) {
            const auto id = std::make_pair(addr_bytes, l.port);
            bool dup = false;
            for (const auto& s : seen) dup = dup || s == id;
            if (dup)
                ctx.error(node.Mark(), "duplicate listener " + l.address + ":" + std::to_string(l.port),
                          "each address:port may be listed once");
            seen.push_back(id);
        }
        policy.listeners.push_back(std::move(l));
    }
    if (f.value.size() == 0) ctx.error(f.mark(), "'listeners' is empty", "add at least one listener");
}

}  // namespace gk::config::detail
