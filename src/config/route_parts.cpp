// Route path matchers, requirements, schemes and hosts.
#include <re2/re2.h>

#include <algorithm>
#include <memory>

#include "config/route_parts.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {
namespace {

bool has_space_or_ctl(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c == 0x7f;
    });
}

void literal_path(Ctx& ctx, const YAML::Mark& at, const std::string& text, gate::PathMatch& out) {
    if (text.empty() || text[0] != '/') {
        ctx.error(at, "route path '" + text + "' must start with '/'", "e.g. /admin/");
        return;
    }
    if (has_space_or_ctl(text)) {
        ctx.error(at, "route path '" + text + "' contains spaces or control characters",
                  "request paths never do; percent-encoding is decoded before matching");
        return;
    }
    out.value = text;
}

struct SchemeName {
    const char* name;
    gate::SchemeKind kind;
};
constexpr SchemeName kSchemes[] = {
    {"basic", gate::SchemeKind::basic},   {"digest", gate::SchemeKind::digest},   {"bearer", gate::SchemeKind::bearer},
    {"apikey", gate::SchemeKind::apikey}, {"session", gate::SchemeKind::session},
    {"mtls", gate::SchemeKind::mtls},
};

std::vector<std::string> scheme_names() {
    std::vector<std::string> out;
    for (const auto& s : kSchemes) out.emplace_back(s.name);
    return out;
}

}  // namespace

void read_route_path(Ctx& ctx, const Field& f, bool case_insensitive, gate::PathMatch& out) {
    if (f.value.IsScalar()) {
        out.kind = gate::PathMatchKind::prefix;
        literal_path(ctx, f.value.Mark(), f.value.Scalar(), out);
        return;
    }
    if (!f.value.IsMap()) {
        ctx.error(f.mark(), "'path' must be a string or a mapping",
                  "path: /admin/  or  path: { exact: / }  or  path: { regex: \"^/x/[0-9]+$\" }");
        return;
    }
    Fields fields(ctx, f.value, {"prefix", "exact", "regex"});
    if (fields.all().size() != 1) {
        if (!fields.all().empty() || f.value.size() == 0)
            ctx.error(f.mark(), "'path' needs exactly one of 'prefix', 'exact' or 'regex'", "e.g. path: { exact: / }");
        return;
    }
    const Field& only = fields.all().front();
    auto text = read_string(ctx, only);
    if (!text) return;
    if (only.key == "prefix" || only.key == "exact") {
        out.kind = only.key == "prefix" ? gate::PathMatchKind::prefix : gate::PathMatchKind::exact;
        literal_path(ctx, only.mark(), *text, out);
        return;
    }
    out.kind = gate::PathMatchKind::regex;
    out.value = *text;
    RE2::Options opts;
    opts.set_log_errors(false);  // the error goes into the config report instead
    opts.set_case_sensitive(!case_insensitive);
    auto re = std::make_shared<const re2::RE2>(*text, opts);
    if (!re->ok()) {
        ctx.error(only.mark(), "bad regex '" + *text + "': " + re->error(),
                  "RE2 syntax (no backreferences or lookaround); it must match the whole path");
        return;
    }
    out.regex = std::move(re);
}

void read_requirement(Ctx& ctx, const Field& f, gate::Requirement& out) {
    const std::string hint = "public | authenticated | { users: [alice] } | { groups: [admins] }";
    if (f.value.IsScalar()) {
        const std::string& s = f.value.Scalar();
        if (s == "public") out.kind = gate::RequireKind::public_access;
        else if (s == "authenticated") out.kind = gate::RequireKind::authenticated;
        else {
            const std::string guess = closest(s, {"public", "authenticated"});
            ctx.error(f.mark(), "unknown requirement '" + s + "'",
                      guess.empty() ? hint : "did you mean '" + guess + "'?");
        }
        return;
    }
    if (!f.value.IsMap()) {
        ctx.error(f.mark(), "'require' must be a word or a mapping", hint);
        return;
    }
    Fields fields(ctx, f.value, {"users", "groups"});
    if (fields.all().size() != 1) {
        if (!fields.all().empty() || f.value.size() == 0)
            ctx.error(f.mark(), "'require' needs exactly one of 'users' or 'groups'", hint);
        return;
    }
    const Field& only = fields.all().front();
    out.kind = only.key == "users" ? gate::RequireKind::users : gate::RequireKind::groups;
    auto items = read_string_list(ctx, only);
    if (!items) return;
    if (items->empty()) {
        // An empty any-of list would deny everyone, silently.
        ctx.error(only.mark(), "'require: " + only.key + "' lists nobody", "name at least one, or use authenticated");
        return;
    }
    for (const auto& item : *items) {
        if (item.text.empty() || has_space_or_ctl(item.text)) {
            ctx.error(item.mark, "'" + item.text + "' is not a valid " + (only.key == "users" ? "user" : "group") +
                                     " name");
            continue;
        }
        out.values.push_back(item.text);
    }
}

void read_schemes(Ctx& ctx, const Field& f, std::vector<gate::SchemeKind>& out) {
    auto items = read_string_list(ctx, f);
    if (!items) return;
    for (const auto& item : *items) {
        const SchemeName* found = nullptr;
        for (const auto& s : kSchemes)
            if (item.text == s.name) found = &s;
        if (!found) {
            const std::string guess = closest(item.text, scheme_names());
            ctx.error(item.mark, "unknown scheme '" + item.text + "'",
                      guess.empty() ? "known schemes: " + one_of(scheme_names()) : "did you mean '" + guess + "'?");
            continue;
        }
        if (std::find(out.begin(), out.end(), found->kind) != out.end()) {
            ctx.error(item.mark, "scheme '" + item.text + "' is listed twice", "list each scheme once");
            continue;
        }
        out.push_back(found->kind);
    }
}

namespace {

// RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool is_scope_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\';
    });
}

void add_scopes(Ctx& ctx, const Item& item, std::vector<std::string>& out) {
    std::size_t i = 0;
    const std::string& t = item.text;
    while (i < t.size()) {
        const auto j = std::min(t.find(' ', i), t.size());
        const std::string one = t.substr(i, j - i);
        if (!one.empty()) {
            if (!is_scope_token(one)) ctx.error(item.mark, "'" + one + "' is not a valid scope", "RFC 6749 3.3 scope-token");
            else if (std::find(out.begin(), out.end(), one) == out.end()) out.push_back(one);
        }
        i = j + 1;
    }
}

}  // namespace

void read_scope_rules(Ctx& ctx, const Field& f, std::vector<gate::ScopeRule>& out) {
    const bool list_of_maps = f.value.IsSequence() && f.value.size() > 0 && f.value[0].IsMap();
    if (!list_of_maps) {
        gate::ScopeRule rule;
        if (auto items = read_string_list(ctx, f))
            for (const auto& item : *items) add_scopes(ctx, item, rule.scopes);
        if (!rule.scopes.empty()) out.push_back(std::move(rule));
        return;
    }
    for (const auto& node : f.value) {
        if (!expect_map(ctx, node, "a scope rule")) continue;
        Fields fields(ctx, node, {"methods", "scopes"});
        gate::ScopeRule rule;
        if (auto* x = fields.get("methods")) {
            if (auto items = read_string_list(ctx, *x))
                for (const auto& m : *items) {
                    if (!is_token(m.text)) ctx.error(m.mark, "'" + m.text + "' is not a valid method", "e.g. GET, POST");
                    else rule.methods.push_back(m.text);
                }
        }
        if (auto* x = fields.get("scopes")) {
            if (auto items = read_string_list(ctx, *x))
                for (const auto& item : *items) add_scopes(ctx, item, rule.scopes);
        } else {
            ctx.error(node.Mark(), "scope rule without 'scopes'", "{ methods: [GET], scopes: [read] }");
        }
        out.push_back(std::move(rule));
    }
}

void read_hosts(Ctx& ctx, const Field& f, std::vector<std::string>& out) {
    auto items = read_string_list(ctx, f);
    if (!items) return;
    for (const auto& item : *items) {
        std::string h;
        bool ok = !item.text.empty();
        for (std::size_t i = 0; ok && i < item.text.size(); ++i) {
            char c = item.text[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            // ':' only inside an IPv6 literal: a port would never match, hosts are compared without it.
            const bool bracketed = item.text[0] == '[';
            const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                               c == '_' || (bracketed && (c == ':' || c == '[' || c == ']'));
            // '*' only as a whole leading label: "*.example.com".
            const bool wildcard = c == '*' && i == 0 && item.text.size() > 2 && item.text[1] == '.';
            ok = plain || wildcard;
            h.push_back(c);
        }
        if (!ok) {
            ctx.error(item.mark, "'" + item.text + "' is not a host name",
                      "e.g. admin.example.com or *.example.com (no scheme, port or path)");
            continue;
        }
        out.push_back(std::move(h));
    }
}

}  // namespace gk::config::detail
