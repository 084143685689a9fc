// listeners: where gatekeeper accepts connections, plain or TLS.
#include <utility>

#include "config/sections.hpp"
#include "config/tls_files.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {
namespace {

// Client certificates (mutual TLS): whether they are asked for, the CAs they
// must chain to and the revocation list. A CA or CRL without a mode (or a
// mode without a CA) is a half-done setting: an error, not a silent default.
void read_client_cert(Ctx& ctx, const Fields& fields, gate::ClientCertSettings& out) {
    using Mode = gate::ClientCertSettings::Mode;
    const Field* mode = fields.get("client_cert");
    const Field* ca = fields.get("client_ca");
    const Field* crl = fields.get("client_crl");
    if (mode) {
        if (auto s = read_string(ctx, *mode)) {
            if (*s == "off") out.mode = Mode::off;
            else if (*s == "request") out.mode = Mode::request;
            else if (*s == "require") out.mode = Mode::require;
            else
                ctx.error(mode->mark(), "client_cert must be off, request or require, not '" + *s + "'",
                          "request: routes with the mtls scheme decide; require: no handshake without a valid one");
        }
    }
    if (ca) {
        if (auto p = read_existing_file(ctx, *ca)) out.ca_file = *p;
    }
    if (crl) {
        if (auto p = read_existing_file(ctx, *crl)) out.crl_file = *p;
    }
    if (out.mode != Mode::off && !ca)
        ctx.error(mode->mark(), "client_cert: " + std::string(gate::to_string(out.mode)) + " needs 'client_ca'",
                  "client_ca: <PEM bundle of the CAs that issue client certificates>");
    if (out.mode == Mode::off && (ca || crl))
        ctx.error((ca ? ca : crl)->mark(), "'" + std::string(ca ? "client_ca" : "client_crl") +
                                               "' is set but client certificates are off on this listener",
                  "add client_cert: request (routes decide) or client_cert: require");
}

constexpr const char* kTlsHint =
    "tls: { cert: cert.pem, key: key.pem } or tls: { certificates: [ { cert: a.pem, key: a.key }, ... ] }";

// One { cert, key } pair: both readable, and the key belongs to the certificate.
void read_certificate(Ctx& ctx, const Field* cert, const Field* key, const YAML::Mark& at, std::string_view what,
                      std::vector<gate::TlsCertificate>& out) {
    if (!cert || !key) {
        ctx.error(at, std::string(what) + " needs " +
                          (!cert && !key ? "'cert' and 'key'" : !cert ? "'cert'" : "'key'"),
                  "{ cert: cert.pem, key: key.pem } (PEM files)");
        return;
    }
    auto cert_path = read_existing_file(ctx, *cert);
    auto key_path = read_existing_file(ctx, *key);
    if (!cert_path || !key_path) return;
    if (auto problem = cert_key_problem(*cert_path, *key_path)) {
        ctx.error(at, *problem, "each key must be the private key of its certificate (PEM, not encrypted)");
        return;
    }
    out.push_back({*cert_path, *key_path, at.line + 1});
}

void read_tls(Ctx& ctx, const Field& f, gate::Listener& l) {
    if (!f.value.IsMap()) {
        ctx.error(f.mark(), "'tls' must be a mapping", kTlsHint);
        return;
    }
    l.tls = true;
    Fields fields(ctx, f.value, {"cert", "key", "certificates", "session_tickets", "ticket_key_rotation", "ocsp_stapling",
                                 "client_cert", "client_ca", "client_crl"});
    const Field* list = fields.get("certificates");
    const bool single = fields.get("cert") || fields.get("key");
    if (list && single) {
        ctx.error(list->mark(), "give either 'cert'/'key' or 'certificates', not both", kTlsHint);
    } else if (list) {
        if (!list->value.IsSequence() || list->value.size() == 0) {
            ctx.error(list->mark(), "'certificates' must be a non-empty list", kTlsHint);
        } else {
            for (const auto& node : list->value) {
                if (!expect_map(ctx, node, "a certificate")) continue;
                Fields pair(ctx, node, {"cert", "key"});
                read_certificate(ctx, pair.get("cert"), pair.get("key"), node.Mark(), "a certificate", l.certificates);
            }
        }
    } else if (single) {
        read_certificate(ctx, fields.get("cert"), fields.get("key"), f.mark(), "tls", l.certificates);
    } else {
        ctx.tls_without_certificate.push_back(f.mark());  // acme: may obtain them (load.cpp)
    }
    if (auto* x = fields.get("session_tickets")) {
        if (auto b = read_bool(ctx, *x)) l.session_tickets = *b;
    }
    if (auto* x = fields.get("ocsp_stapling")) {
        if (auto b = read_bool(ctx, *x)) l.ocsp_stapling = *b;
    }
    if (auto* x = fields.get("ticket_key_rotation")) {
        if (auto d = read_duration(ctx, *x)) {
            // Below a minute every resumption would need a key that is already gone.
            if (*d < std::chrono::minutes(1) || *d > std::chrono::hours(24 * 7))
                ctx.error(x->mark(), "'ticket_key_rotation' must be between 1m and 7d", "e.g. 12h (the default)");
            else
                l.ticket_key_rotation = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
    }
    read_client_cert(ctx, fields, l.client_cert);
}

// 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104 (IPv4-mapped loopback).
bool is_loopback(const std::vector<std::uint8_t>& b) {
    if (b.size() == 4) return b[0] == 127;
    if (b.size() != 16) return false;
    bool zeros10 = true;
    for (int i = 0; i < 10; ++i) zeros10 = zeros10 && b[i] == 0;
    if (!zeros10) return false;
    if (b[10] == 0xff && b[11] == 0xff) return b[12] == 127;
    for (int i = 10; i < 15; ++i)
        if (b[i] != 0) return false;
    return b[15] == 1;
}

// insecure / redirect_port: what a plain-HTTP listener does with plain HTTP
// (gate/transport.hpp). Both mean nothing on a TLS listener, and
// redirect_port nothing where no redirect happens: said, not ignored.
void read_plain_http_keys(Ctx& ctx, const Fields& fields, gate::Listener& l, bool& explicit_redirect_port) {
    if (auto* x = fields.get("insecure")) {
        if (auto b = read_bool(ctx, *x)) l.insecure = *b;
        if (l.tls && l.insecure)
            ctx.error(x->mark(), "'insecure' applies to plain-HTTP listeners, and this one has tls",
                      "remove 'insecure' (TLS is never insecure here)");
    }
    if (auto* x = fields.get("redirect_port")) {
        if (auto n = read_uint(ctx, *x, 1, 65535)) {
            l.redirect_port = static_cast<std::uint16_t>(*n);
            explicit_redirect_port = true;
        }
        if (l.tls || l.insecure || l.loopback)
            ctx.error(x->mark(), "'redirect_port' only applies to a plain-HTTP listener on a network address without 'insecure'",
                      l.tls ? "a TLS listener never redirects: remove redirect_port"
                            : "this listener serves plain HTTP instead of redirecting: remove redirect_port");
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
    std::vector<std::size_t> default_redirect_port;  // listeners whose redirect_port follows the first TLS one
    for (const auto& node : f.value) {
        if (!expect_map(ctx, node, "a listener")) continue;
        gate::Listener l;
        l.line = node.Mark().line + 1;
        Fields fields(ctx, node, {"address", "port", "tls", "insecure", "redirect_port"});
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
        l.loopback = is_loopback(addr_bytes);
        bool explicit_redirect_port = false;
        read_plain_http_keys(ctx, fields, l, explicit_redirect_port);
        if (!explicit_redirect_port) default_redirect_port.push_back(policy.listeners.size());
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
    // Redirects go to the first TLS listener's port unless a listener names
    // one (a TLS-terminating balancer in front: usually 443, the default).
    for (const auto& l : policy.listeners) {
        if (!l.tls) continue;
        for (auto i : default_redirect_port) policy.listeners[i].redirect_port = l.port;
        break;
    }
}

}  // namespace gk::config::detail
