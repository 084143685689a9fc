// routes: ordered rules; each is checked on its own and against the named
// upstreams and user sources, so one bad route never hides another's errors.
#include <algorithm>

#include "config/route_parts.hpp"
#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"
#include "gatekeeper/gate/request.hpp"

namespace gk::config::detail {
namespace {

template <class T>
std::vector<std::string> names_of(const std::vector<T>& v) {
    std::vector<std::string> out;
    for (const auto& x : v) out.push_back(x.name);
    return out;
}

template <class T>
bool has_name(const std::vector<T>& v, const std::string& name) {
    return std::any_of(v.begin(), v.end(), [&](const T& x) { return x.name == name; });
}

std::string unknown_name_hint(const std::string& name, const std::vector<std::string>& defined,
                              const char* section) {
    const std::string guess = closest(name, defined);
    if (!guess.empty()) return "did you mean '" + guess + "'?";
    return std::string("defined under '") + section + "': " + one_of(defined);
}

// What a file source cannot hold: an htpasswd file has no Digest secrets, an
// htdigest file has no password hashes, only MD5 secrets, and no ':' in realms.
void check_source_kind(Ctx& ctx, const Field& users, const gate::Route& r, const gate::UserSource& src,
                       const gate::DigestSettings& digest) {
    const auto offers = [&](gate::SchemeKind k) {
        return std::find(r.schemes.begin(), r.schemes.end(), k) != r.schemes.end();
    };
    const bool offers_md5 = std::find(digest.algorithms.begin(), digest.algorithms.end(),
                                      schemes::DigestAlgorithm::md5) != digest.algorithms.end();
    if (src.kind == gate::UserSource::Kind::htpasswd && offers(gate::SchemeKind::digest)) {
        ctx.error(users.mark(),
                  "route '" + r.name + "' offers digest, but user source '" + src.name +
                      "' is an htpasswd file, which cannot hold Digest secrets",
                  "use a { sqlite: FILE } or { htdigest: FILE } source for Digest routes");
    } else if (src.kind == gate::UserSource::Kind::htdigest && offers(gate::SchemeKind::basic)) {
        ctx.error(
            users.mark(),
            "route '" + r.name + "' offers basic, but user source '" + src.name +
                "' is an htdigest file, which holds no password hashes",
            "use schemes: [digest] with an htdigest source, or an { htpasswd: FILE } or { sqlite: FILE } "
            "source for Basic");
    } else if (src.kind == gate::UserSource::Kind::htdigest && offers(gate::SchemeKind::digest)) {
        if (r.realm.find(':') != std::string::npos)
            ctx.error(users.mark(),
                      "route '" + r.name + "' has realm '" + r.realm + "' with a ':', which user source '" +
                          src.name + "' (an htdigest file) cannot hold",
                      "set a 'realm' without ':'");
        else if (!offers_md5)
            ctx.error(users.mark(),
                      "route '" + r.name + "' offers digest without MD5, but user source '" + src.name +
                          "' is an htdigest file, which holds only MD5 secrets",
                      "add MD5 to digest: { algorithms: [...] }");
    }
}

void read_route(Ctx& ctx, const YAML::Node& node, std::size_t index, gate::Policy& policy) {
    gate::Route r;
    r.line = node.Mark().line + 1;
    // Whole-route complaints (no path, no scheme) are usually the echo of a
    // typo in one key: report them only when every key read cleanly.
    const std::size_t errors_before = ctx.errors.size();
    Fields fields(ctx, node, {"name", "host", "path", "methods", "case_insensitive", "upstream", "schemes", "realm",
                              "users", "require", "cors_preflight", "issuers", "scopes", "query_token", "api_key_header",
                              "brute_force", "static"});

    r.name = "route-" + std::to_string(index);
    if (auto* x = fields.get("name")) {
        if (auto s = read_string(ctx, *x)) {
            if (s->empty() || !is_safe_realm(*s)) ctx.error(x->mark(), "route name must be non-empty printable text");
            else r.name = *s;
        }
        if (std::any_of(policy.routes.begin(), policy.routes.end(), [&](const auto& o) { return o.name == r.name; }))
            ctx.error(x->mark(), "duplicate route name '" + r.name + "'", "route names must be unique");
    } else if (std::any_of(policy.routes.begin(), policy.routes.end(),
                           [&](const auto& o) { return o.name == r.name; })) {
        ctx.error(node.Mark(), "route name '" + r.name + "' is already used by another route",
                  "give this route a name");
    }

    if (auto* x = fields.get("host")) read_hosts(ctx, *x, r.hosts);
    if (auto* x = fields.get("case_insensitive")) {
        if (auto b = read_bool(ctx, *x)) r.case_insensitive = *b;
    }
    if (auto* x = fields.get("path")) read_route_path(ctx, *x, r.case_insensitive, r.path);

    if (auto* x = fields.get("methods")) {
        if (auto items = read_string_list(ctx, *x)) {
            for (const auto& m : *items) {
                // Methods are case-sensitive (RFC 9110 9.1): kept exactly as written.
                if (!is_token(m.text)) ctx.error(m.mark, "'" + m.text + "' is not a valid method", "e.g. GET, POST");
                else r.methods.push_back(m.text);
            }
        }
    }
    if (auto* x = fields.get("schemes")) read_schemes(ctx, *x, r.schemes);
    if (auto* x = fields.get("require")) read_requirement(ctx, *x, r.require);
    if (auto* x = fields.get("cors_preflight")) {
        if (auto b = read_bool(ctx, *x)) r.allow_cors_preflight = *b;
    }

    if (auto* x = fields.get("scopes")) read_scope_rules(ctx, *x, r.scopes);
    if (auto* x = fields.get("query_token")) {
        if (auto b = read_bool(ctx, *x)) r.bearer_query_token = *b;
    }
    if (auto* x = fields.get("issuers")) {
        if (auto items = read_string_list(ctx, *x))
            for (const auto& i : *items) {
                if (!policy.issuer(i.text))
                    ctx.error(i.mark, "unknown issuer '" + i.text + "'",
                              unknown_name_hint(i.text, names_of(policy.issuers), "issuers"));
                else r.issuers.push_back(i.text);
            }
    }

    const bool keys_clean = ctx.errors.size() == errors_before;
    if (!fields.get("path") && keys_clean)
        ctx.error(node.Mark(), "route '" + r.name + "' has no 'path'", "use path: / to match every path");

    const bool is_public = r.require.kind == gate::RequireKind::public_access;
    const Field* schemes = fields.get("schemes");
    // `schemes: []` says "none" as clearly as leaving the key out.
    const bool lists_schemes = schemes && !(schemes->value.IsSequence() && schemes->value.size() == 0);
    if (is_public && lists_schemes)
        ctx.error(schemes->mark(), "public route '" + r.name + "' lists schemes",
                  "a public route never asks for credentials: remove 'schemes', or use require: authenticated");
    if (!is_public && !lists_schemes && keys_clean)
        ctx.error(node.Mark(), "route '" + r.name + "' is not public but accepts no scheme",
                  "add schemes: [basic], or require: public if anyone may pass");

    r.realm = r.name;
    if (auto* x = fields.get("realm")) {
        if (auto s = read_string(ctx, *x)) {
            if (s->empty()) ctx.error(x->mark(), "'realm' must not be empty", "leave it out to use the route name");
            else if (!is_safe_realm(*s))
                ctx.error(x->mark(), "realm must not contain '\"', '\\' or control characters",
                          "clients show the realm as a label: plain text is enough");
            else r.realm = *s;
        }
    } else if (!is_safe_realm(r.realm)) {
        ctx.error(node.Mark(), "the route name cannot serve as realm", "set 'realm' to plain text");
    }

    if (auto* x = fields.get("users")) {
        if (auto s = read_string(ctx, *x)) {
            r.user_source = *s;
            if (!has_name(policy.user_sources, *s))
                ctx.error(x->mark(), "unknown user source '" + *s + "'",
                          unknown_name_hint(*s, names_of(policy.user_sources), "users"));
            else
                check_source_kind(ctx, *x, r, *policy.user_source(*s), policy.digest);
        }
    } else if (!is_public && (std::find(r.schemes.begin(), r.schemes.end(), gate::SchemeKind::basic) != r.schemes.end() ||
                              std::find(r.schemes.begin(), r.schemes.end(), gate::SchemeKind::digest) != r.schemes.end())) {
        ctx.error(schemes ? schemes->mark() : node.Mark(), "route '" + r.name + "' uses basic or digest but names no 'users'",
                  "add users: <name of a source under 'users'>");
    }

    const auto offers = [&](gate::SchemeKind k) { return std::find(r.schemes.begin(), r.schemes.end(), k) != r.schemes.end(); };
    const bool offers_bearer = offers(gate::SchemeKind::bearer);
    const bool offers_apikey = offers(gate::SchemeKind::apikey);
    if (offers(gate::SchemeKind::session) && !is_public && policy.sessions.user_source.empty() && keys_clean)
        ctx.error(schemes->mark(), "route '" + r.name + "' accepts session, but no 'sessions' are configured",
                  "sessions:\n  users: <the user source the login page checks>");
    // Without a listener that asks for certificates, no request could ever carry one.
    if (offers(gate::SchemeKind::mtls) && !is_public && keys_clean &&
        std::none_of(policy.listeners.begin(), policy.listeners.end(), [](const gate::Listener& l) {
            return l.client_cert.mode != gate::ClientCertSettings::Mode::off;
        }))
        ctx.error(schemes->mark(), "route '" + r.name + "' accepts mtls, but no listener asks for client certificates",
                  "in a TLS listener: tls: { cert: ..., key: ..., client_cert: request, client_ca: ca.pem }");
    if (auto* x = fields.get("api_key_header")) {
        if (auto s = read_string(ctx, *x)) {
            if (!offers_apikey)
                ctx.error(x->mark(), "'api_key_header' applies to apikey, which route '" + r.name + "' does not accept",
                          "add apikey to 'schemes'");
            else if (!is_token(*s) || gate::iequals(*s, "Authorization") || gate::iequals(*s, "Cookie"))
                ctx.error(x->mark(), "'" + *s + "' cannot carry API keys", "e.g. X-API-Key");
            else r.api_key_header = *s;
        }
    }
    if (auto* x = fields.get("brute_force")) {
        gate::AttemptLimits limits = policy.brute_force;
        read_brute_force(ctx, *x, limits);
        r.brute_force = limits;
    }
    if (!offers_bearer && !offers_apikey && keys_clean)
        if (auto* x = fields.get("scopes"))
            ctx.error(x->mark(), "'scopes' applies to bearer and apikey, which route '" + r.name + "' accepts neither",
                      "add bearer or apikey to 'schemes'");
    if (offers_bearer && !is_public && policy.issuers.empty() && keys_clean)
        ctx.error(schemes->mark(), "route '" + r.name + "' accepts bearer, but no 'issuers' are configured",
                  "issuers:\n  corp: { issuer: https://id.example.com/, jwks_url: https://id.example.com/jwks.json }");
    if (!offers_bearer && keys_clean)
        for (const char* key : {"issuers", "query_token"})
            if (auto* x = fields.get(key))
                ctx.error(x->mark(), std::string("'") + key + "' applies to bearer, which route '" + r.name +
                                         "' does not accept",
                          "add bearer to 'schemes'");

    if (auto* x = fields.get("static")) {
        gate::StaticFiles files;
        read_static(ctx, *x, files);
        r.static_files = std::move(files);
        if (fields.get("upstream"))
            ctx.error(x->mark(), "route '" + r.name + "' has both 'upstream' and 'static'",
                      "a route either forwards to an upstream or serves files itself");
    }
    if (auto* x = fields.get("upstream")) {
        if (auto s = read_string(ctx, *x)) {
            r.upstream = *s;
            if (!has_name(policy.upstreams, *s))
                ctx.error(x->mark(), "unknown upstream '" + *s + "'",
                          unknown_name_hint(*s, names_of(policy.upstreams), "upstreams"));
        }
    }
    policy.routes.push_back(std::move(r));
}

}  // namespace

void read_routes(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!f.value.IsSequence()) {
        ctx.error(f.mark(), "'routes' must be a list", "routes:\n  - { name: app, path: /, require: public }");
        return;
    }
    std::size_t index = 0;
    for (const auto& node : f.value) {
        ++index;
        if (!expect_map(ctx, node, "a route")) continue;
        read_route(ctx, node, index, policy);
    }
}

}  // namespace gk::config::detail
