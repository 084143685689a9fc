// Route matching: host, then method, then path. First match wins (config order).
#include <re2/re2.h>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/path.hpp"

namespace gk::gate {
namespace {

bool host_matches(const Route& r, std::string_view host) {
    if (r.hosts.empty()) return true;
    for (const auto& h : r.hosts) {
        if (h.size() > 2 && h[0] == '*' && h[1] == '.') {
            // "*.example.com" covers one or more labels in front, never the apex.
            std::string_view suffix = std::string_view(h).substr(1);
            if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix)
                return true;
        } else if (iequals(h, host)) {
            return true;
        }
    }
    return false;
}

bool method_matches(const Route& r, std::string_view method) {
    if (r.methods.empty()) return true;
    for (const auto& m : r.methods)
        if (m == method) return true;  // methods are case-sensitive (RFC 9110 9.1)
    return false;
}

bool ascii_iequal(std::string_view a, std::string_view b) { return iequals(a, b); }

bool path_matches(const Route& r, std::string_view path) {
    switch (r.path.kind) {
        case PathMatchKind::exact:
            return r.case_insensitive ? ascii_iequal(path, r.path.value) : path == r.path.value;
        case PathMatchKind::prefix:
            return path_has_prefix(path, r.path.value, r.case_insensitive);
        case PathMatchKind::regex:
            return r.path.regex && RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *r.path.regex);
    }
    return false;
}

}  // namespace

const Route* match_route(const Policy& policy, const Request& req) {
    for (const auto& r : policy.routes) {
        if (host_matches(r, req.host) && method_matches(r, req.method) && path_matches(r, req.path)) return &r;
    }
    return nullptr;
}

}  // namespace gk::gate
