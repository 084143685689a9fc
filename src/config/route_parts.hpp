#pragma once
// The parts of a route that have a grammar of their own.
#include "config/context.hpp"
#include "gatekeeper/gate/route.hpp"

namespace gk::config::detail {

// `path: /x/` | `path: { prefix | exact | regex: ... }`. Regexes are compiled
// here, once, honouring case_insensitive.
void read_route_path(Ctx& ctx, const Field& f, bool case_insensitive, gate::PathMatch& out);
// `require: public | authenticated | { users: [...] } | { groups: [...] }`.
void read_requirement(Ctx& ctx, const Field& f, gate::Requirement& out);
// `schemes: [basic, ...]`: known names, each once, and only what this build has.
void read_schemes(Ctx& ctx, const Field& f, std::vector<gate::SchemeKind>& out);
// `scopes: [read]` (every method) or a list of { methods: [...], scopes: [...] }
// rules, first match wins; a scope string may hold several, space-separated.
void read_scope_rules(Ctx& ctx, const Field& f, std::vector<gate::ScopeRule>& out);
// `host: a.example.com` or a list; lower-cased, "*.example.com" allowed.
void read_hosts(Ctx& ctx, const Field& f, std::vector<std::string>& out);

}  // namespace gk::config::detail
