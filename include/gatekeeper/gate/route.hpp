#pragma once
// Routes and what they require. Built once by config/ into an immutable Policy.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gatekeeper/gate/attempts.hpp"

namespace re2 { class RE2; }

namespace gk::gate {

// mtls: the client certificate of the TLS connection (verified by the listener).
enum class SchemeKind { basic, digest, bearer, apikey, session, mtls };
const char* to_string(SchemeKind) noexcept;

enum class PathMatchKind { exact, prefix, regex };

struct PathMatch {
    PathMatchKind kind = PathMatchKind::prefix;
    std::string value;                 // for prefix: "/admin/" or "/admin" (segment-boundary match)
    std::shared_ptr<const re2::RE2> regex;  // compiled at load, for kind == regex
};

enum class RequireKind { public_access, authenticated, users, groups };

struct Requirement {
    RequireKind kind = RequireKind::authenticated;
    std::vector<std::string> values;   // user names or group names (any-of)
};

// Bearer scopes a route requires (all of them), for some methods or all.
struct ScopeRule {
    std::vector<std::string> methods;   // empty = any method
    std::vector<std::string> scopes;    // all required
};

// Files a route serves itself instead of an upstream (server/static_site).
struct StaticFiles {
    std::string root;      // the folder, resolved against the config file's
    std::string fallback;  // served for unknown paths without a file type ("" = 404)
    std::string csp;       // Content-Security-Policy of every answer ("" = none)
};

struct Route {
    std::string name;
    int line = 0;                       // where it was defined in the config, for explain/logs
    std::vector<std::string> hosts;     // empty = any host; lower-case; "*.example.com" allowed
    PathMatch path;
    std::vector<std::string> methods;   // empty = any method
    bool case_insensitive = false;      // match the path ignoring ASCII case
    std::vector<SchemeKind> schemes;    // in challenge order, strongest first
    std::string realm;
    Requirement require;
    std::string upstream;               // name of an upstream in the policy; empty = none (gatekeeper answers itself)
    std::optional<StaticFiles> static_files;  // instead of an upstream
    std::string user_source;            // name of a user source in the policy
    bool allow_cors_preflight = false;  // OPTIONS + Access-Control-Request-Method passes unauthenticated
    // Bearer
    std::vector<std::string> issuers;   // names of trusted issuers; empty = every configured one
    std::vector<ScopeRule> scopes;      // first rule whose methods match applies
    bool bearer_query_token = false;    // accept ?access_token= (RFC 6750 2.3); off by default
    // API keys: besides `Authorization: Bearer gk_...`, also this header (e.g. X-API-Key); "" = header off.
    std::string api_key_header;
    // Brute-force limits for this route; nullopt: the policy's.
    std::optional<AttemptLimits> brute_force;
};

}  // namespace gk::gate
