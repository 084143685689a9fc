#include "gate/bearer_check.hpp"

#include <algorithm>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/jose/jwt.hpp"

namespace gk::gate::detail {
namespace {

using schemes::BearerErrorCode;

Decision with_verdict(Verdict v, const Route& route, std::string reason, std::string detail) {
    Decision d;
    d.verdict = v;
    d.route = &route;
    d.reason = std::move(reason);
    d.public_detail = std::move(detail);
    d.scheme = "bearer";
    return d;
}

Decision invalid_token(const Policy& policy, const Route& route, const SchemeContext& ctx, std::string_view why,
                       std::string reason) {
    auto d = with_verdict(Verdict::challenge, route, std::move(reason),
                          "The access token is not valid: " + std::string(why) + ".");
    d.challenges = bearer_error_challenges(route, policy, ctx, BearerErrorCode::invalid_token, why);
    return d;
}

std::string join(const std::vector<std::string>& v, char sep) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

// The issuers a route trusts, in configuration order.
std::vector<const BearerIssuer*> trusted_issuers(const Policy& policy, const Route& route) {
    std::vector<const BearerIssuer*> out;
    for (const auto& is : policy.issuers)
        if (route.issuers.empty() || std::find(route.issuers.begin(), route.issuers.end(), is.name) != route.issuers.end())
            out.push_back(&is);
    return out;
}

jose::JwtRules rules_for(const BearerIssuer& is, const Policy& policy) {
    jose::JwtRules r;
    r.max_bytes = policy.bearer.max_token_bytes;
    r.algorithms = is.algorithms;
    r.typ = is.typ;
    r.claims.issuer = is.issuer;
    r.claims.audiences = is.audiences;
    r.claims.leeway = is.leeway;
    if (is.max_age.count() > 0) r.claims.max_age = is.max_age;
    r.claims.required = is.required_claims;
    return r;
}

bool still_current(const SchemeContext& ctx, const VerifiedToken& hit) {
    if (!ctx.key_sources) return false;
    auto source = ctx.key_sources->find(hit.issuer);
    if (source == ctx.key_sources->end() || !source->second) return false;
    auto keys = source->second->keys();
    auto then = hit.keys.lock();  // null once the old set is gone: never mistaken for a new one
    return keys && then && then.get() == keys.get();
}

bool revoked(const SchemeContext& ctx, std::string_view issuer, std::string_view jti) {
    // Only gatekeeper's own tokens can be revoked here (RFC 7009 at its own endpoint).
    return ctx.revoked_tokens && issuer == kSelfIssuerName && ctx.revoked_tokens->is_revoked(jti);
}

// RFC 8705 3: a certificate-bound token is good only over a connection whose
// verified client certificate has the thumbprint it names. nullopt: it is.
std::optional<std::string> binding_refusal(std::string_view bound, const Request& req) {
    if (bound.empty()) return std::nullopt;
    if (!req.client_cert) return "token is bound to a client certificate and none was presented";
    if (!req.client_cert->verified) return "token is bound to a client certificate and the one presented is not valid";
    if (!crypto::ct_equal(bound, req.client_cert->thumbprint))
        return "token is bound to a different client certificate";
    return std::nullopt;
}

}  // namespace

Decision authorize_scoped(const Policy& policy, const Route& route, const Request& req, Identity id,
                          const SchemeContext& ctx) {
    const ScopeRule* rule = nullptr;
    for (const auto& r : route.scopes)
        if (r.methods.empty() || std::find(r.methods.begin(), r.methods.end(), req.method) != r.methods.end()) {
            rule = &r;
            break;
        }
    if (rule) {
        std::vector<std::string> missing;
        for (const auto& s : rule->scopes)
            if (std::find(id.scopes.begin(), id.scopes.end(), s) == id.scopes.end()) missing.push_back(s);
        if (!missing.empty()) {
            auto d = with_verdict(Verdict::forbid, route,
                                  "token of '" + id.user + "' lacks scope " + join(missing, ' '),
                                  "The access token lacks the scope this request needs: " + join(rule->scopes, ' ') +
                                      ".");
            d.challenges = bearer_error_challenges(route, policy, ctx, BearerErrorCode::insufficient_scope,
                                                   "insufficient scope", join(rule->scopes, ' '));
            d.identity = std::move(id);
            return d;
        }
    }
    auto d = authorize(route, std::move(id));
    if (d.verdict == Verdict::forbid)
        d.challenges = bearer_error_challenges(route, policy, ctx, BearerErrorCode::insufficient_scope,
                                               "not allowed for this identity");
    return d;
}

std::vector<httpauth::Challenge> bearer_error_challenges(const Route& route, const Policy& policy,
                                                         const SchemeContext& ctx, BearerErrorCode error,
                                                         std::string_view description, std::string_view scope) {
    auto out = challenges_for(route, policy, ctx);
    for (auto& c : out)
        if (httpauth::iequals(c.scheme, "Bearer")) c = schemes::bearer_challenge(route.realm, error, description, scope);
    return out;
}

Decision check_bearer(const Policy& policy, const Route& route, const Request& req, std::string_view token,
                      const SchemeContext& ctx) {
    if (token.size() > policy.bearer.max_token_bytes)
        return invalid_token(policy, route, ctx, jose::to_string(jose::JoseError::too_large),
                             "bearer token of " + std::to_string(token.size()) + " bytes is over the limit");

    TokenKey cache_key;
    if (ctx.token_cache) {
        cache_key = TokenCache::key_for(token);
        const auto* hit = ctx.token_cache->find(cache_key, ctx.now);
        // Verified against a key set that is no longer current (a key was
        // rotated out or removed, maybe because it leaked): verify again.
        if (hit && !still_current(ctx, *hit)) hit = nullptr;
        if (hit) {
            if (route.issuers.empty() ||
                std::find(route.issuers.begin(), route.issuers.end(), hit->issuer) != route.issuers.end()) {
                if (revoked(ctx, hit->issuer, hit->jti))
                    return invalid_token(policy, route, ctx, "token revoked", "bearer token revoked (cached)");
                if (auto why = binding_refusal(hit->bound_certificate, req))
                    return invalid_token(policy, route, ctx, *why, "bearer token refused (cached): " + *why);
                return authorize_scoped(policy, route, req, hit->identity, ctx);
            }
            return invalid_token(policy, route, ctx, jose::to_string(jose::JoseError::wrong_issuer),
                                 "token issuer '" + hit->issuer + "' is not trusted on this route");
        }
    }

    const auto issuers = trusted_issuers(policy, route);
    const BearerIssuer* issuer = issuers.size() == 1 ? issuers.front() : nullptr;
    if (!issuer) {
        // Several trusted issuers: the (unverified) iss picks whose keys to
        // try; the signature and the iss check then decide.
        auto jws = jose::parse_jws(token, policy.bearer.max_token_bytes);
        if (!jws)
            return invalid_token(policy, route, ctx, jose::to_string(jws.error()),
                                 std::string("bearer token refused: ") + jose::to_string(jws.error()));
        auto claims = jose::parse_claims(jws->payload);
        if (claims)
            for (const auto* is : issuers)
                if (is->issuer == claims->iss) issuer = is;
        if (!issuer)
            return invalid_token(policy, route, ctx, jose::to_string(jose::JoseError::wrong_issuer),
                                 "bearer token from an issuer this route does not trust");
    }
    if (!ctx.key_sources)
        return with_verdict(Verdict::unavailable, route, "bearer key sources are not running",
                            "The authentication service is temporarily unavailable.");
    auto source = ctx.key_sources->find(issuer->name);
    std::shared_ptr<const jose::JwkSet> keys;
    if (source != ctx.key_sources->end() && source->second) keys = source->second->keys();
    if (!keys) {
        const std::string problem = source != ctx.key_sources->end() && source->second ? source->second->problem() : "";
        return with_verdict(Verdict::unavailable, route,
                            "no verification keys for issuer '" + issuer->name + "'" +
                                (problem.empty() ? "" : ": " + problem),
                            "The authentication service is temporarily unavailable.");
    }

    auto claims = jose::verify_jwt(token, *keys, rules_for(*issuer, policy), ctx.now);
    if (!claims) {
        if (claims.error() == jose::JoseError::no_key) {
            // Maybe the issuer rotated its keys: let the source look again (rate-limited there).
            auto jws = jose::parse_jws(token, policy.bearer.max_token_bytes);
            if (jws && !keys->has_kid(jws->header.kid)) source->second->on_unknown_kid(jws->header.kid);
        }
        return invalid_token(policy, route, ctx, jose::to_string(claims.error()),
                             "bearer token refused (issuer '" + issuer->name + "'): " + jose::to_string(claims.error()));
    }

    if (revoked(ctx, issuer->name, claims->jti))
        return invalid_token(policy, route, ctx, "token revoked", "bearer token revoked");

    auto cnf = jose::parse_confirmation(*claims);
    if (!cnf) return invalid_token(policy, route, ctx, "malformed cnf claim", "bearer token has a malformed cnf claim");
    std::string bound;
    if (*cnf) {
        // A binding gatekeeper cannot confirm (DPoP's jkt, a raw jwk) is
        // refused: accepting it would make the token a plain bearer token.
        if (!(*cnf)->other_methods.empty())
            return invalid_token(policy, route, ctx, "token is bound by an unsupported confirmation method",
                                 "bearer token cnf names '" + (*cnf)->other_methods.front() +
                                     "', which gatekeeper cannot confirm");
        bound = (*cnf)->x5t_s256;
    }
    if (auto why = binding_refusal(bound, req))
        return invalid_token(policy, route, ctx, *why, "bearer token refused: " + *why);

    Identity id;
    id.scheme = "bearer";
    auto users = jose::claim_strings(*claims, issuer->user_claim);
    if (users.empty() || users.front().empty())
        return invalid_token(policy, route, ctx, "token names no user",
                             "bearer token has no '" + issuer->user_claim + "' claim to name the user");
    id.user = users.front();
    if (auto emails = jose::claim_strings(*claims, issuer->email_claim); !emails.empty()) id.email = emails.front();
    id.groups = jose::claim_strings(*claims, issuer->groups_claim);
    id.scopes = claims->scopes;

    if (ctx.token_cache && claims->exp) {
        const auto valid_until = std::chrono::system_clock::time_point(std::chrono::seconds(*claims->exp)) + issuer->leeway;
        ctx.token_cache->remember(cache_key, VerifiedToken{issuer->name, id, claims->jti, bound, keys}, valid_until, ctx.now);
    }
    return authorize_scoped(policy, route, req, std::move(id), ctx);
}

}  // namespace gk::gate::detail
