// acme: automatic certificates from an ACME CA (RFC 8555), Let's Encrypt by
// default. Checked here so that a typo fails `gatekeeper check`, not a
// certificate order an hour after start.
#include <algorithm>
#include <charconv>

#include "config/sections.hpp"

namespace gk::config::detail {
namespace {

// A DNS name an ACME CA can certify over HTTP-01 or TLS-ALPN-01: letters,
// digits, hyphens, dot-separated labels of 1..63, no wildcard (RFC 8555
// section 8.3 does not allow HTTP-01 for one; CAs take DNS-01 only for
// those), no IP address. Also safe as a folder name.
bool is_host_name(std::string_view h) {
    if (h.empty() || h.size() > 253 || h.front() == '.' || h.back() == '.') return false;
    std::size_t label = 0;
    bool has_letter = false;
    for (std::size_t i = 0; i < h.size(); ++i) {
        const char c = h[i];
        if (c == '.') {
            if (label == 0 || h[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        const bool letter = c >= 'a' && c <= 'z';
        if (!letter && !(c >= '0' && c <= '9') && !(c == '-' && label > 0)) return false;
        has_letter = has_letter || letter;
        if (++label > 63) return false;
    }
    return has_letter && h.back() != '-';
}

void read_hosts(Ctx& ctx, const Field& f, acme::Settings& s) {
    auto items = read_string_list(ctx, f);
    if (!items) return;
    for (const auto& item : *items) {
        if (!is_host_name(item.text)) {
            ctx.error(item.mark, "acme host '" + item.text + "' is not a lower-case DNS name",
                      "e.g. gate.example.org (no wildcard, no IP address, no port)");
            continue;
        }
        if (std::find(s.hosts.begin(), s.hosts.end(), item.text) != s.hosts.end()) {
            ctx.error(item.mark, "acme host '" + item.text + "' is listed twice", "list each host once");
            continue;
        }
        s.hosts.push_back(item.text);
    }
    if (items->empty()) ctx.error(f.mark(), "'hosts' is empty", "hosts: [gate.example.org]");
}

void read_retry(Ctx& ctx, const Field& f, acme::Settings& s) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"min", "max"});
    if (auto* x = fields.get("min")) {
        if (auto d = read_duration(ctx, *x)) s.retry_min = *d;
    }
    if (auto* x = fields.get("max")) {
        if (auto d = read_duration(ctx, *x)) s.retry_max = *d;
    }
    if (s.retry_max < s.retry_min)
        ctx.error(f.mark(), "acme retry 'max' is below 'min'", "e.g. retry: { min: 1m, max: 1h }");
}

// http-01 (the default) needs port 80 reachable, tls-alpn-01 port 443, served
// by one of our HTTPS listeners (RFC 8737): one with no HTTPS listener could
// never be validated.
void read_challenge(Ctx& ctx, const Field& f, gate::Policy& policy) {
    auto v = read_string(ctx, f);
    if (!v) return;
    if (*v == "http-01") {
        policy.acme.challenge = acme::ChallengeType::http01;
    } else if (*v == "tls-alpn-01") {
        if (std::none_of(policy.listeners.begin(), policy.listeners.end(), [](const gate::Listener& l) { return l.tls; }))
            ctx.error(f.mark(), "acme challenge 'tls-alpn-01' needs an HTTPS listener",
                      "add a listener with tls: (the CA connects to port 443), or use challenge: http-01");
        else
            policy.acme.challenge = acme::ChallengeType::tls_alpn01;
    } else {
        ctx.error(f.mark(), "acme 'challenge' '" + *v + "' is not http-01 or tls-alpn-01",
                  "challenge: http-01 (port 80) or challenge: tls-alpn-01 (port 443)");
    }
}

}  // namespace

void read_acme(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    auto& s = policy.acme;
    s.enabled = true;
    s.line = f.key_mark.line + 1;
    Fields fields(ctx, f.value, {"directory", "email", "ca_file", "hosts", "challenge", "renew_at", "retry"});
    if (auto* x = fields.get("directory")) {
        if (auto v = read_string(ctx, *x)) {
            // The account key signs everything, but the certificate comes back in
            // the reply: the directory must be authenticated.
            if (!v->starts_with("https://") || v->size() <= 8)
                ctx.error(x->mark(), "acme 'directory' must be an https URL",
                          std::string("e.g. ") + acme::kLetsEncryptDirectory);
            else
                s.directory = *v;
        }
    }
    if (auto* x = fields.get("email")) {
        if (auto v = read_string(ctx, *x)) {
            const auto at = v->find('@');
            if (at == std::string::npos || at == 0 || at + 1 == v->size() ||
                v->find_first_of(" \t,<>:") != std::string::npos)
                ctx.error(x->mark(), "acme 'email' '" + *v + "' is not an e-mail address", "e.g. ops@example.org");
            else
                s.email = *v;
        }
    }
    if (auto* x = fields.get("ca_file")) {
        if (auto p = read_existing_file(ctx, *x)) s.ca_file = *p;
    }
    if (auto* x = fields.get("hosts")) read_hosts(ctx, *x, s);
    else ctx.error(f.key_mark, "acme needs 'hosts'", "hosts: [gate.example.org]");
    if (auto* x = fields.get("challenge")) read_challenge(ctx, *x, policy);
    if (auto* x = fields.get("renew_at")) {
        if (auto v = read_string(ctx, *x)) {
            double d = 0;
            auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
            if (ec != std::errc() || p != v->data() + v->size() || !(d > 0.0 && d < 1.0))
                ctx.error(x->mark(), "acme 'renew_at' must be a fraction of the lifetime between 0 and 1",
                          "e.g. 0.67: renew once two thirds of the lifetime have passed");
            else
                s.renew_at = d;
        }
    }
    if (auto* x = fields.get("retry")) read_retry(ctx, *x, s);
}

}  // namespace gk::config::detail
