#include "server/headers.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "gatekeeper/gate/request.hpp"

namespace gk::server {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && gate::iequals(s.substr(0, prefix.size()), prefix);
}

template <class F>
void erase_if(http::fields& f, F pred) {
    for (auto it = f.begin(); it != f.end();) {
        if (pred(it->name_string())) it = f.erase(it);
        else ++it;
    }
}

}  // namespace

void strip_hop_by_hop(http::fields& f) {
    // The names the Connection fields list, copied (their fields go too) into
    // one string: no allocation for the usual "keep-alive" or "close".
    std::string listed;
    for (auto it = f.find(http::field::connection); it != f.end() && it->name() == http::field::connection; ++it) {
        std::string_view v = it->value();
        while (!v.empty()) {
            auto comma = v.find(',');
            auto tok = trim(v.substr(0, comma));
            if (!tok.empty()) {
                listed.append(tok);
                listed.push_back(',');
            }
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
    }
    static constexpr std::string_view fixed[] = {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                                                 "Transfer-Encoding", "Upgrade", "Proxy-Authorization",
                                                 "Proxy-Authenticate"};
    erase_if(f, [&](std::string_view name) {
        for (auto h : fixed)
            if (gate::iequals(name, h)) return true;
        std::string_view l = listed;
        while (!l.empty()) {
            const auto comma = l.find(',');
            if (gate::iequals(name, l.substr(0, comma))) return true;
            l.remove_prefix(comma + 1);
        }
        return false;
    });
}

bool is_spoofable_header(std::string_view name, const gate::IdentityHeaders& configured) {
    for (const auto* list : {&configured.user, &configured.email, &configured.groups, &configured.scopes})
        for (const auto& h : *list)
            if (gate::iequals(name, h)) return true;
    // Every fixed name below starts with X, R or F: most fields stop here.
    const char c = name.empty() ? '\0' : static_cast<char>(name.front() | 0x20);
    if (c != 'x' && c != 'r' && c != 'f') return false;
    static constexpr std::string_view prefixes[] = {"X-Auth-Request-", "Remote-", "X-Authenticated-",
                                                    "X-Forwarded-User", "X-Forwarded-Email",
                                                    "X-Forwarded-Groups", "X-Forwarded-Preferred-Username",
                                                    "X-Forwarded-Access-Token"};
    for (auto p : prefixes)
        if (istarts_with(name, p)) return true;
    static constexpr std::string_view exact[] = {"X-Remote-User", "X-User", "X-Original-URL", "X-Rewrite-URL",
                                                 "X-Original-URI", "X-Original-Method", "X-HTTP-Method-Override",
                                                 "X-HTTP-Method", "X-Method-Override", "X-Real-IP", "Forwarded",
                                                 "X-Forwarded-Method", "X-Forwarded-Uri"};
    for (auto e : exact)
        if (gate::iequals(name, e)) return true;
    return false;
}

void strip_spoofable(http::fields& f, const gate::IdentityHeaders& configured) {
    erase_if(f, [&](std::string_view name) { return is_spoofable_header(name, configured); });
}

void strip_own_cookies(http::fields& f, std::string_view prefix) {
    if (f.find(http::field::cookie) == f.end()) return;
    const std::string host_prefix = "__Host-" + std::string(prefix);
    std::vector<std::string> kept_values;
    bool any = false;
    for (auto it = f.find(http::field::cookie); it != f.end() && it->name() == http::field::cookie; ++it) {
        any = true;
        std::string kept;
        std::string_view v = it->value();
        while (!v.empty()) {
            auto semi = v.find(';');
            auto pair = trim(v.substr(0, semi));
            auto eq = pair.find('=');
            auto name = trim(pair.substr(0, eq));
            const bool ours = name.substr(0, prefix.size()) == prefix ||
                              name.substr(0, host_prefix.size()) == host_prefix;
            if (!pair.empty() && !ours) {
                if (!kept.empty()) kept += "; ";
                kept.append(pair);
            }
            if (semi == std::string_view::npos) break;
            v.remove_prefix(semi + 1);
        }
        if (!kept.empty()) kept_values.push_back(std::move(kept));
    }
    if (!any) return;
    f.erase(http::field::cookie);
    for (auto& k : kept_values) f.insert(http::field::cookie, k);
}

void set_identity_headers(http::fields& f, const gate::Identity& id, const gate::IdentityHeaders& names) {
    std::string groups;
    for (const auto& g : id.groups) {
        if (!groups.empty()) groups += ',';
        groups += g;
    }
    for (const auto& h : names.user) f.set(h, id.user);
    if (!id.email.empty())
        for (const auto& h : names.email) f.set(h, id.email);
    if (!groups.empty())
        for (const auto& h : names.groups) f.set(h, groups);
    std::string scopes;
    for (const auto& s : id.scopes) {
        if (!scopes.empty()) scopes += ' ';
        scopes += s;
    }
    if (!scopes.empty())
        for (const auto& h : names.scopes) f.set(h, scopes);
}

}  // namespace gk::server
