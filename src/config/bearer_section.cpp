// issuers: the trusted token issuers (where their keys come from, which
// audiences and algorithms to accept, how claims map to an identity); and
// bearer: limits shared by every Bearer route.
#include <algorithm>

#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {
namespace {

std::chrono::seconds seconds_of(std::chrono::milliseconds d) {
    return std::max(std::chrono::seconds{1}, std::chrono::duration_cast<std::chrono::seconds>(d));
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// An https URL for key fetches; plain http would let anyone on the path hand
// gatekeeper their own keys.
bool check_https_url(Ctx& ctx, const YAML::Mark& at, const std::string& url, std::string_view what) {
    auto parsed = parse_upstream_url(url.substr(0, url.find('/', 8)));
    if (!starts_with(url, "https://") || !parsed) {
        ctx.error(at, std::string(what) + " '" + url + "' is not an https URL",
                  "keys must come over https with a verified certificate");
        return false;
    }
    return true;
}

void read_algorithms(Ctx& ctx, const Field& f, std::vector<crypto::SigAlg>& out) {
    auto items = read_string_list(ctx, f);
    if (!items) return;
    out.clear();
    for (const auto& item : *items) {
        auto alg = crypto::sig_alg_from_jose_name(item.text);
        if (!alg) {
            ctx.error(item.mark, "unknown or refused JWS algorithm '" + item.text + "'",
                      "one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, "
                      "HS512 (exact spelling; 'none' is never accepted)");
            continue;
        }
        if (std::find(out.begin(), out.end(), *alg) != out.end()) {
            ctx.error(item.mark, "algorithm '" + item.text + "' is listed twice");
            continue;
        }
        out.push_back(*alg);
    }
    if (out.empty() && items->empty()) ctx.error(f.mark(), "'algorithms' must not be empty");
}

void read_claims_map(Ctx& ctx, const Field& f, gate::BearerIssuer& is) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"user", "email", "groups"});
    auto path = [&](const char* key, std::string& out) {
        if (auto* x = fields.get(key)) {
            if (auto s = read_string(ctx, *x)) {
                if (s->empty() || s->front() == '.' || s->back() == '.' || s->find("..") != std::string::npos)
                    ctx.error(x->mark(), "claim path '" + *s + "' is not a dotted name", "e.g. realm_access.roles");
                else out = *s;
            }
        }
    };
    path("user", is.user_claim);
    path("email", is.email_claim);
    path("groups", is.groups_claim);
}

void read_issuer(Ctx& ctx, const Field& f, gate::Policy& policy) {
    gate::BearerIssuer is;
    is.name = f.key;
    is.line = f.key_mark.line + 1;
    if (!expect_map(ctx, f)) return;
    const std::size_t errors_before = ctx.errors.size();
    Fields fields(ctx, f.value,
                  {"issuer", "jwks_url", "jwks_file", "discovery", "ca_file", "tls_verify", "jwks_refresh",
                   "jwks_min_refresh", "fetch_timeout", "audiences", "algorithms", "claims", "leeway", "max_age",
                   "typ", "required_claims"});
    if (auto* x = fields.get("issuer")) {
        if (auto s = read_string(ctx, *x)) {
            if (s->empty()) ctx.error(x->mark(), "'issuer' must not be empty", "the exact 'iss' of its tokens");
            else is.issuer = *s;
        }
    } else {
        ctx.error(f.key_mark, "issuer '" + is.name + "' has no 'issuer'",
                  "issuer: the exact 'iss' value its tokens carry, e.g. https://id.example.com/realms/main");
    }

    const Field* url = fields.get("jwks_url");
    const Field* file = fields.get("jwks_file");
    const Field* discovery = fields.get("discovery");
    bool use_discovery = false;
    if (discovery) {
        if (auto b = read_bool(ctx, *discovery)) use_discovery = *b;
    }
    const int sources = (url ? 1 : 0) + (file ? 1 : 0) + (use_discovery ? 1 : 0);
    if (sources != 1 && ctx.errors.size() == errors_before) {
        ctx.error(f.key_mark, "issuer '" + is.name + "' needs exactly one key source",
                  "jwks_url: https://..., jwks_file: FILE (JWKS or PEM), or discovery: true");
    }
    if (url) {
        if (auto s = read_string(ctx, *url); s && check_https_url(ctx, url->mark(), *s, "jwks_url")) {
            is.jwks.kind = gate::JwksSource::Kind::url;
            is.jwks.location = *s;
        }
    } else if (file) {
        if (auto p = read_existing_file(ctx, *file)) {
            is.jwks.kind = gate::JwksSource::Kind::file;
            is.jwks.location = *p;
        }
    } else if (use_discovery) {
        is.jwks.kind = gate::JwksSource::Kind::discovery;
        is.jwks.location = is.issuer;
        if (!is.issuer.empty()) check_https_url(ctx, discovery->mark(), is.issuer, "issuer (for discovery)");
    }
    if (auto* x = fields.get("ca_file")) {
        if (auto p = read_existing_file(ctx, *x)) is.jwks.ca_file = *p;
    }
    if (auto* x = fields.get("tls_verify")) {
        if (auto b = read_bool(ctx, *x)) is.jwks.verify_tls = *b;
    }
    if (auto* x = fields.get("jwks_refresh")) {
        if (auto d = read_duration(ctx, *x)) is.jwks.refresh = seconds_of(*d);
    }
    if (auto* x = fields.get("jwks_min_refresh")) {
        if (auto d = read_duration(ctx, *x)) is.jwks.min_refresh_interval = seconds_of(*d);
    }
    if (auto* x = fields.get("fetch_timeout")) {
        if (auto d = read_duration(ctx, *x)) is.jwks.fetch_timeout = *d;
    }
    if (auto* x = fields.get("audiences")) {
        if (auto items = read_string_list(ctx, *x))
            for (const auto& i : *items) {
                if (i.text.empty()) ctx.error(i.mark, "an audience must not be empty");
                else is.audiences.push_back(i.text);
            }
    }
    if (auto* x = fields.get("algorithms")) read_algorithms(ctx, *x, is.algorithms);
    if (auto* x = fields.get("claims")) read_claims_map(ctx, *x, is);
    if (auto* x = fields.get("leeway")) {
        if (auto d = read_duration(ctx, *x)) is.leeway = std::chrono::duration_cast<std::chrono::seconds>(*d);
    }
    if (auto* x = fields.get("max_age")) {
        if (auto d = read_duration(ctx, *x)) is.max_age = seconds_of(*d);
    }
    if (auto* x = fields.get("typ")) {
        if (auto s = read_string(ctx, *x)) is.typ = *s;
    }
    if (auto* x = fields.get("required_claims")) {
        if (auto items = read_string_list(ctx, *x))
            for (const auto& i : *items) is.required_claims.push_back(i.text);
    }

    // HMAC needs a shared secret: only a local key file can hold one.
    const bool wants_hmac = std::any_of(is.algorithms.begin(), is.algorithms.end(), [](crypto::SigAlg a) {
        return crypto::key_type_for(a) == crypto::KeyType::oct;
    });
    if (wants_hmac && is.jwks.kind != gate::JwksSource::Kind::file && ctx.errors.size() == errors_before)
        ctx.error(fields.get("algorithms")->mark(),
                  "issuer '" + is.name + "' allows an HS* algorithm with keys fetched over the network",
                  "HMAC keys are shared secrets: use jwks_file with an oct key, or an asymmetric algorithm");
    // Two entries for one iss would make the choice of keys ambiguous.
    for (const auto& other : policy.issuers)
        if (!is.issuer.empty() && other.issuer == is.issuer)
            ctx.error(f.key_mark, "issuers '" + other.name + "' and '" + is.name + "' have the same issuer '" + is.issuer + "'",
                      "one entry per iss value");
    policy.issuers.push_back(std::move(is));
}

}  // namespace

void read_issuers(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    for (const auto& e : entries(ctx, f.value)) read_issuer(ctx, e, policy);
}

void read_bearer(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"max_token_bytes", "token_cache_ttl", "token_cache_entries"});
    if (auto* x = fields.get("max_token_bytes")) {
        if (auto n = read_uint(ctx, *x, 256, 64 * 1024)) policy.bearer.max_token_bytes = *n;
    }
    if (auto* x = fields.get("token_cache_ttl")) {
        if (auto d = read_duration(ctx, *x))
            policy.bearer.token_cache_ttl = std::chrono::duration_cast<std::chrono::seconds>(*d);
    }
    if (auto* x = fields.get("token_cache_entries")) {
        if (auto n = read_uint(ctx, *x, 0, 10'000'000)) policy.bearer.token_cache_entries = *n;
    }
}

}  // namespace gk::config::detail
