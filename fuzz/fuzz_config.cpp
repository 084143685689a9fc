// load_policy_text on arbitrary bytes: the path `gatekeeper check --config`
// takes once the file is read (load_policy_file only reads, then calls it).
// Properties:
// - never crashes, and yaml-cpp exceptions never escape;
// - a rejection lists errors that each name the file, a line and a message,
//   sorted by line and column, and format() shows file:line;
// - an accepted config is a Policy the server can run without re-checking:
//   every route's names resolve, public routes ask for nothing, the others
//   offer a scheme backed by what it needs (users, issuers, sessions).
// Relative paths resolve against fuzz/testdata/config/, which holds empty
// stand-ins for the files the seeds name: the loader only checks that they are
// readable regular files. It never creates or opens anything (it stats paths
// and checks that an sqlite database's folder exists), so fuzzing it has no
// side effects.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/config/config.hpp"
#include "gatekeeper/config/values.hpp"

namespace {

using namespace gk;

constexpr const char* kName = "fuzz.yaml";

void check(bool ok) {
    if (!ok) std::abort();
}

bool offers(const gate::Route& r, gate::SchemeKind k) {
    return std::find(r.schemes.begin(), r.schemes.end(), k) != r.schemes.end();
}

template <class T>
bool unique_names(const std::vector<T>& v) {
    std::set<std::string> seen;
    for (const auto& x : v)
        if (x.name.empty() || !seen.insert(x.name).second) return false;
    return true;
}

void check_errors(std::string_view text, const std::vector<config::ConfigError>& errors) {
    check(!errors.empty());
    // yaml-cpp marks can point one line past the text (at end of input).
    const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (std::size_t i = 0; i < errors.size(); ++i) {
        const auto& e = errors[i];
        check(e.file == kName);
        check(!e.message.empty());
        check(e.line >= 1 && e.line <= lines + 1 && e.column >= 1);
        const std::string shown = config::format(e);
        check(shown.starts_with(std::string(kName) + ":" + std::to_string(e.line) + ":"));
        if (i > 0) {
            const auto& p = errors[i - 1];
            check(p.line < e.line || (p.line == e.line && p.column <= e.column));
        }
    }
}

void check_route(const gate::Policy& p, const gate::Route& r) {
    check(!r.name.empty() && !r.realm.empty() && config::is_safe_realm(r.realm));
    check(r.line >= 1);
    if (r.path.kind == gate::PathMatchKind::regex)
        check(r.path.regex != nullptr);
    else
        check(r.path.value.starts_with("/"));
    for (const auto& m : r.methods) check(config::is_token(m));
    for (std::size_t i = 0; i < r.schemes.size(); ++i)
        check(std::count(r.schemes.begin(), r.schemes.end(), r.schemes[i]) == 1);
    if (!r.upstream.empty()) check(p.upstream(r.upstream) != nullptr);
    if (!r.user_source.empty()) check(p.user_source(r.user_source) != nullptr);
    for (const auto& i : r.issuers) check(p.issuer(i) != nullptr);
    const auto& req = r.require;
    if (req.kind == gate::RequireKind::users || req.kind == gate::RequireKind::groups)
        check(!req.values.empty());
    if (req.kind == gate::RequireKind::public_access) {
        check(r.schemes.empty());
        return;
    }
    // A route that is not public must be passable by someone.
    check(!r.schemes.empty());
    if (offers(r, gate::SchemeKind::basic) || offers(r, gate::SchemeKind::digest))
        check(!r.user_source.empty());
    if (offers(r, gate::SchemeKind::bearer)) check(!p.issuers.empty());
    if (offers(r, gate::SchemeKind::session)) check(!p.sessions.user_source.empty());
}

void check_policy(const gate::Policy& p) {
    check(p.source_file == kName);
    check(!p.state_dir.empty() && !p.self_issuer.database.empty());
    check(!p.listeners.empty());
    std::set<std::pair<std::vector<std::uint8_t>, std::uint16_t>> sockets;
    for (const auto& l : p.listeners) {
        const auto ip = config::parse_ip(l.address);
        check(!ip.empty() && l.port != 0);
        check(sockets.emplace(ip, l.port).second);
        // A TLS listener names its certificates, or an acme: section obtains them.
        if (l.tls) check(!l.certificates.empty() || p.acme.enabled);
        for (const auto& c : l.certificates) check(l.tls && !c.cert_file.empty() && !c.key_file.empty());
        check(!l.tls || !l.insecure);
    }
    check(unique_names(p.upstreams) && unique_names(p.user_sources) && unique_names(p.issuers));
    check(unique_names(p.routes));
    for (const auto& u : p.upstreams) check(!u.host.empty() && u.port != 0 && !u.url.empty());
    for (const auto& s : p.user_sources) check(!s.path.empty());
    check(!p.digest.algorithms.empty());
    check(p.sessions.idle_timeout <= p.sessions.lifetime);
    if (!p.sessions.user_source.empty()) check(p.user_source(p.sessions.user_source) != nullptr);
    if (p.self_issuer.enabled) {
        const auto* self = p.issuer(gate::kSelfIssuerName);
        check(self != nullptr && self->issuer == p.self_issuer.url && !p.self_issuer.audiences.empty());
    }
    for (const auto& r : p.routes) check_route(p, r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = config::load_policy_text(text, kName, GK_FUZZ_CONFIG_DIR);
    if (!r.ok())
        check_errors(text, r.error());
    else
        check_policy(*r);
    return 0;
}
