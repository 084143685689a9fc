#include "gate/digest_check.hpp"

#include <algorithm>

#include "gate/attempt_check.hpp"
#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace gk::gate::detail {
namespace {

using schemes::DigestAlgorithm;
using schemes::DigestNonces;

constexpr std::string_view kUnauthorized = "Authentication is required to access this resource.";

Decision with_challenges(Verdict v, const Route& route, const Policy& policy, const SchemeContext& ctx,
                         std::string reason, std::string detail, bool stale = false) {
    Decision d;
    d.verdict = v;
    d.route = &route;
    d.scheme = "digest";
    d.reason = std::move(reason);
    d.public_detail = std::move(detail);
    if (v == Verdict::challenge) d.challenges = challenges_for(route, policy, ctx, stale);
    return d;
}

Decision unauthorized(const Route& route, const Policy& policy, const SchemeContext& ctx, std::string reason,
                      bool stale = false) {
    return with_challenges(Verdict::challenge, route, policy, ctx, std::move(reason), std::string(kUnauthorized),
                           stale);
}

Decision bad_request(const Route& route, const Policy& policy, const SchemeContext& ctx, std::string reason,
                     std::string detail) {
    return with_challenges(Verdict::bad_request, route, policy, ctx, std::move(reason), std::move(detail));
}

// A quoted-string (RFC 9110 5.6.4) of a value the client sent.
std::string quoted(std::string_view v) {
    std::string out = "\"";
    for (char ch : v) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}

bool offered(const Policy& policy, DigestAlgorithm alg) {
    return std::find(policy.digest.algorithms.begin(), policy.digest.algorithms.end(), alg) !=
           policy.digest.algorithms.end();
}

// The stored H(user:realm:password) for this realm and hash family.
const DigestSecret* secret_for(const UserRecord& rec, std::string_view realm, DigestAlgorithm alg) {
    const std::string_view family = schemes::to_string(schemes::base_of(alg));
    for (const auto& s : rec.digest_secrets)
        if (s.realm == realm && httpauth::iequals(s.algorithm, family)) return &s;
    return nullptr;
}

}  // namespace

std::vector<httpauth::Challenge> digest_challenges(const Route& route, const Policy& policy,
                                                   const SchemeContext& ctx, bool stale) {
    std::vector<httpauth::Challenge> out;
    if (!ctx.digest_nonces) return out;
    const std::string nonce = ctx.digest_nonces->issue(ctx.now);
    const std::string opaque = ctx.digest_nonces->opaque_for(route.realm);
    // An htdigest file holds MD5 secrets only: offering more would send
    // clients (curl picks the first) to an algorithm that cannot succeed.
    const UserSource* src = policy.user_source(route.user_source);
    const bool md5_only = src && src->kind == UserSource::Kind::htdigest;
    for (auto alg : policy.digest.algorithms)
        if (!md5_only || alg == DigestAlgorithm::md5)
            out.push_back(schemes::digest_challenge(route.realm, alg, nonce, opaque, stale, policy.digest.auth_int,
                                                policy.digest.userhash));
    return out;
}

bool wants_auth_int(const httpauth::Credentials& creds) {
    auto c = schemes::parse_digest(creds);
    return c && c->qop == schemes::DigestCredentials::Qop::auth_int;
}

Decision check_digest(const Policy& policy, const Route& route, const Request& req,
                      const httpauth::Credentials& creds, const Directories& dirs, const SchemeContext& ctx) {
    if (!ctx.digest_nonces || !ctx.digest_counts) {
        auto d = with_challenges(Verdict::unavailable, route, policy, ctx, "Digest is not available in this process",
                                 "The authentication service is temporarily unavailable.");
        return d;
    }
    auto c = schemes::parse_digest(creds);
    if (!c) {
        return bad_request(route, policy, ctx,
                           std::string("malformed Digest credentials: ") + schemes::to_string(c.error()),
                           "The Digest credentials are malformed.");
    }
    // RFC 7616 3.4.6: the uri must name this request's target, or the
    // response could be replayed against another resource.
    if (c->uri != req.target)
        return bad_request(route, policy, ctx, "Digest uri does not match the request target",
                           "The Digest uri does not match the request.");
    if (c->realm != route.realm) return unauthorized(route, policy, ctx, "Digest realm is not this route's realm");
    if (!crypto::ct_equal(c->opaque, ctx.digest_nonces->opaque_for(route.realm)))
        return unauthorized(route, policy, ctx, "Digest opaque does not match");
    if (!offered(policy, schemes::base_of(c->algorithm)))
        return unauthorized(route, policy, ctx,
                            std::string("Digest algorithm ") + schemes::to_string(c->algorithm) + " is not offered");
    const bool auth_int = c->qop == schemes::DigestCredentials::Qop::auth_int;
    if (auth_int && !policy.digest.auth_int)
        return unauthorized(route, policy, ctx, "Digest qop auth-int is not offered");
    if (auth_int && !req.body)
        return with_challenges(Verdict::unavailable, route, policy, ctx, "Digest auth-int without the request body",
                               "The authentication service is temporarily unavailable.");
    if (c->userhash && !policy.digest.userhash)
        return unauthorized(route, policy, ctx, "Digest userhash is not offered");
    const std::string body_hash = auth_int ? schemes::body_hash(c->algorithm, *req.body) : std::string();

    const auto nonce_state = ctx.digest_nonces->check(c->nonce, ctx.now);
    if (nonce_state == DigestNonces::NonceState::forged)
        return unauthorized(route, policy, ctx, "Digest nonce was not issued by this server");

    const Attempt who{req.client_address, c->username};
    if (auto refused = refuse_if_locked(policy, route, who, ctx, "digest")) return std::move(*refused);
    auto dir = dirs.find(route.user_source);
    if (dir == dirs.end() || !dir->second)
        return with_challenges(Verdict::unavailable, route, policy, ctx,
                               "user source '" + route.user_source + "' unavailable",
                               "The authentication service is temporarily unavailable.");
    const std::string_view family = schemes::to_string(schemes::base_of(c->algorithm));
    const auto found = c->userhash ? dir->second->find_by_digest_userhash(route.realm, family, c->username)
                                   : dir->second->find(c->username);
    if (!found)
        return with_challenges(Verdict::unavailable, route, policy, ctx,
                               "user source '" + route.user_source + "' unavailable: " + found.error(),
                               "The authentication service is temporarily unavailable.");
    const auto& rec = found.value();
    const DigestSecret* secret = rec ? secret_for(*rec, route.realm, c->algorithm) : nullptr;
    // Unknown user or no secret for this realm: compute anyway against a
    // throwaway HA1, so the answer takes as long as for a real user.
    const std::string ha1 = secret ? secret->ha1 : schemes::digest_ha1(c->algorithm, "", route.realm, "");
    const bool matches =
        schemes::response_matches(*c, schemes::expected_response(*c, ha1, req.method, body_hash));
    if (!rec || !secret || !matches || rec->disabled) {
        count_failure(policy, route, who, ctx);
        auto d = unauthorized(route, policy, ctx,
                              !rec      ? "unknown user"
                              : !secret ? "user has no Digest secret for this realm and algorithm"
                              : !matches ? "wrong Digest response"
                                         : "user disabled");
        d.presented_user = c->username;
        return d;
    }
    count_success(who, ctx);
    if (nonce_state == DigestNonces::NonceState::stale)
        return unauthorized(route, policy, ctx, "Digest nonce expired", true);
    // Only a verified response may move the count (else anyone who saw a nonce could burn it).
    const auto advanced = ctx.digest_counts->advance(c->nonce, c->nc);
    if (!advanced)
        return with_challenges(Verdict::unavailable, route, policy, ctx,
                               "Digest nonce counts unavailable: " + advanced.error(),
                               "The authentication service is temporarily unavailable.");
    if (!*advanced) return unauthorized(route, policy, ctx, "Digest nonce count replayed", true);

    Identity id;
    id.user = rec->name;
    id.email = rec->email;
    id.groups = rec->groups;
    id.scheme = "digest";
    Decision d = authorize(route, std::move(id));
    if (d.verdict == Verdict::allow) {
        std::string info;
        // rspauth for auth-int hashes the response body, which streams from the
        // upstream after this header is sent: it is left out there.
        if (!auth_int)
            info = "rspauth=" + quoted(schemes::rspauth(*c, ha1, {})) + ", qop=" + schemes::to_string(c->qop) +
                   ", nc=" + c->nc_text + ", cnonce=" + quoted(c->cnonce);
        // Past half its life, hand the client the next nonce now (3.5), so it
        // does not meet a stale 401 later.
        const auto issued = DigestNonces::issued_at(c->nonce);
        if (issued && ctx.now - *issued > policy.digest.nonce_lifetime / 2)
            info += std::string(info.empty() ? "" : ", ") + "nextnonce=" + quoted(ctx.digest_nonces->issue(ctx.now));
        if (!info.empty()) d.response_headers.emplace_back("Authentication-Info", std::move(info));
    }
    return d;
}

}  // namespace gk::gate::detail
