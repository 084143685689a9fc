// oauth: gatekeeper as an OAuth 2 authorization server (its token endpoint,
// signing keys and the database behind them); and sessions: the login page
// and browser sessions. Both keep their state in one SQLite file.
#include <algorithm>

#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {
namespace {

std::chrono::seconds seconds_of(std::chrono::milliseconds d) {
    return std::max(std::chrono::seconds{1}, std::chrono::duration_cast<std::chrono::seconds>(d));
}

// https, or http on a loopback host (the demo): `iss` must be a URL its
// relying parties fetch metadata and keys from.
bool acceptable_issuer_url(const std::string& url) {
    if (url.starts_with("https://")) return url.size() > 8;
    for (const char* lo : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
        if (url.starts_with(lo)) {
            const char next =
                url.size() > std::string_view(lo).size() ? url[std::string_view(lo).size()] : '\0';
            return next == '\0' || next == ':' || next == '/';
        }
    return false;
}

void read_seconds(Ctx& ctx, const Fields& fields, const char* key, std::chrono::seconds& out) {
    if (auto* x = fields.get(key))
        if (auto d = read_duration(ctx, *x)) out = seconds_of(*d);
}

}  // namespace

void read_oauth(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    auto& is = policy.self_issuer;
    is.line = f.key_mark.line + 1;
    Fields fields(ctx, f.value,
                  {"url", "database", "audiences", "algorithm", "access_token_ttl", "refresh_token_ttl",
                   "code_ttl", "key_overlap"});
    if (auto* x = fields.get("url")) {
        if (auto s = read_string(ctx, *x)) {
            if (!acceptable_issuer_url(*s))
                ctx.error(x->mark(), "oauth url '" + *s + "' is not an https URL",
                          "the 'iss' of gatekeeper's tokens, e.g. https://auth.example.com (http only on "
                          "loopback)");
            else {
                is.url = *s;
                while (is.url.size() > 8 && is.url.back() == '/') is.url.pop_back();
                is.enabled = true;
            }
        }
    } else {
        ctx.error(f.key_mark, "'oauth' has no 'url'",
                  "url: https://auth.example.com (the 'iss' of its tokens)");
    }
    if (auto* x = fields.get("database")) {
        if (auto s = read_string(ctx, *x)) {
            if (s->empty())
                ctx.error(x->mark(), "'database' must not be empty", "e.g. state/gatekeeper.db");
            else
                is.database = ctx.resolve(*s);
        }
    }
    if (auto* x = fields.get("audiences")) {
        if (auto items = read_string_list(ctx, *x))
            for (const auto& i : *items) {
                if (i.text.empty())
                    ctx.error(i.mark, "an audience must not be empty");
                else
                    is.audiences.push_back(i.text);
            }
    }
    if (auto* x = fields.get("algorithm")) {
        if (auto s = read_string(ctx, *x)) {
            auto alg = crypto::sig_alg_from_jose_name(*s);
            if (!alg || (*alg != crypto::SigAlg::es256 && *alg != crypto::SigAlg::eddsa &&
                         *alg != crypto::SigAlg::rs256))
                ctx.error(x->mark(), "oauth algorithm '" + *s + "' is not offered",
                          "ES256 (default), EdDSA or RS256");
            else
                is.algorithm = *alg;
        }
    }
    read_seconds(ctx, fields, "access_token_ttl", is.access_token_ttl);
    read_seconds(ctx, fields, "refresh_token_ttl", is.refresh_token_ttl);
    read_seconds(ctx, fields, "code_ttl", is.code_ttl);
    read_seconds(ctx, fields, "key_overlap", is.key_overlap);
    if (is.access_token_ttl > std::chrono::hours(24))
        ctx.error(
            fields.get("access_token_ttl")->mark(), "access_token_ttl over 24h",
            "access tokens cannot be recalled from every cache: keep them short (default 10m) and refresh");
    if (is.code_ttl > std::chrono::minutes(10))
        ctx.error(fields.get("code_ttl")->mark(), "code_ttl over 10 minutes",
                  "RFC 6749 4.1.2 recommends at most 10 minutes; the default is 60s");
    if (!is.enabled) return;
    if (is.audiences.empty()) is.audiences.push_back(is.url);

    // Its own tokens are trusted on its routes like any issuer's, keys from memory.
    if (policy.issuer(gate::kSelfIssuerName)) {
        ctx.error(f.key_mark, "an entry under 'issuers' is already named 'gatekeeper'",
                  "that name is reserved for gatekeeper's own tokens: rename the other issuer");
        return;
    }
    for (const auto& other : policy.issuers)
        if (other.issuer == is.url) {
            ctx.error(fields.get("url")->mark(),
                      "oauth url '" + is.url + "' is also the issuer of '" + other.name + "'",
                      "gatekeeper's own tokens need an iss of their own");
            return;
        }
    gate::BearerIssuer self;
    self.name = std::string(gate::kSelfIssuerName);
    self.issuer = is.url;
    self.jwks.kind = gate::JwksSource::Kind::self;
    self.audiences = is.audiences;
    // Every algorithm a rotation may have switched to keeps verifying.
    self.algorithms = {crypto::SigAlg::es256, crypto::SigAlg::eddsa, crypto::SigAlg::rs256};
    self.typ = "at+jwt";
    // Its own clock signed them: no skew to forgive, so an expired token ends at exp.
    self.leeway = std::chrono::seconds(0);
    self.line = is.line;
    policy.issuers.push_back(std::move(self));
}

void read_sessions(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    auto& s = policy.sessions;
    s.line = f.key_mark.line + 1;
    Fields fields(ctx, f.value, {"users", "login_url", "idle_timeout", "lifetime", "allowed_return_hosts"});
    if (auto* x = fields.get("users")) {
        if (auto name = read_string(ctx, *x)) {
            const auto* src = policy.user_source(*name);
            if (!src)
                ctx.error(x->mark(), "unknown user source '" + *name + "'", "a name defined under 'users'");
            else if (src->kind == gate::UserSource::Kind::htdigest)
                ctx.error(
                    x->mark(),
                    "user source '" + *name + "' is an htdigest file, which holds no password hashes",
                    "the login page checks passwords: use an { sqlite: FILE } or { htpasswd: FILE } source");
            else
                s.user_source = *name;
        }
    } else {
        ctx.error(f.key_mark, "'sessions' has no 'users'", "users: <the user source the login page checks>");
    }
    if (auto* x = fields.get("login_url")) {
        if (auto u = read_string(ctx, *x)) {
            if (u->starts_with("/") ? u->starts_with("//")
                                    : !(u->starts_with("https://") || u->starts_with("http://")))
                ctx.error(x->mark(), "login_url '" + *u + "' is neither a path nor an http(s) URL",
                          "default: /.gatekeeper/login");
            else
                s.login_path = *u;
        }
    }
    read_seconds(ctx, fields, "idle_timeout", s.idle_timeout);
    read_seconds(ctx, fields, "lifetime", s.lifetime);
    if (s.idle_timeout > s.lifetime)
        ctx.error(fields.get("idle_timeout") ? fields.get("idle_timeout")->mark() : f.key_mark,
                  "idle_timeout is longer than lifetime", "a session ends at the earlier of the two");
    if (auto* x = fields.get("allowed_return_hosts")) {
        if (auto items = read_string_list(ctx, *x))
            for (const auto& i : *items) {
                std::string h = i.text;
                std::transform(h.begin(), h.end(), h.begin(),
                               [](unsigned char c) { return std::tolower(c); });
                if (h.empty() || h.find_first_of("/@\\ ") != std::string::npos)
                    ctx.error(i.mark, "'" + i.text + "' is not a host name",
                              "e.g. app.example.com or app.example.com:8443");
                else
                    s.allowed_return_hosts.push_back(h);
            }
    }
}

}  // namespace gk::config::detail
