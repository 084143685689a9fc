#include "server/request_builder.hpp"

#include "gatekeeper/gate/path.hpp"
#include "server/session.hpp"
#include "server/trust.hpp"

namespace gk::server {

std::string host_without_port(std::string_view host) {
    std::string_view h = host;
    if (!h.empty() && h.front() == '[') {
        auto close = h.find(']');
        h = close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1);
    } else if (auto colon = h.rfind(':'); colon != std::string_view::npos) {
        h = h.substr(0, colon);
    }
    std::string out(h);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

namespace {

std::string client_behind_proxies(const http::request_header<>& h, const ConnInfo& info,
                                  const std::vector<gate::Cidr>& trusted_proxies) {
    if (!info.trusted) return info.peer_text;
    std::vector<std::string_view> hops;
    const auto [first, last] = h.equal_range("X-Forwarded-For");
    for (auto f = first; f != last; ++f) {
        std::string_view v = f->value();
        while (!v.empty()) {
            const auto comma = v.find(',');
            std::string_view item = v.substr(0, comma);
            while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
            while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
            if (!item.empty()) hops.push_back(item);
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
    }
    // From the right: each trusted hop vouches for the one before it. The
    // first hop that is not a trusted proxy is the client; anything that is
    // not an address ends the walk at the last hop that could be believed.
    std::string client = info.peer_text;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        error_code ec;
        const auto addr = asio::ip::make_address(std::string(*it), ec);
        if (ec) break;
        client = addr.to_string();
        if (!is_trusted(trusted_proxies, addr)) break;
    }
    return client;
}

}  // namespace

Result<gate::Request, std::string> build_gate_request(const http::request_header<>& h, const ConnInfo& info,
                                                      const std::vector<gate::Cidr>& trusted_proxies) {
    gate::Request r;
    r.method = std::string(h.method_string());
    std::string_view target = h.target();
    std::string authority;
    if (!target.empty() && target.front() != '/') {
        // absolute-form: the target's authority wins over Host (RFC 9112 3.2.2).
        auto abs = gate::split_absolute_form(target);
        if (!abs) return fail(std::string("invalid request target: ") + gate::to_string(abs.error()));
        authority = abs->authority;
        auto norm = gate::normalize_target(abs->path_and_query);
        if (!norm) return fail(std::string("invalid request target: ") + gate::to_string(norm.error()));
        r.path = std::move(norm->path);
        r.query = std::move(norm->query);
    } else {
        auto norm = gate::normalize_target(target);
        if (!norm) return fail(std::string("invalid request target: ") + gate::to_string(norm.error()));
        r.path = std::move(norm->path);
        r.query = std::move(norm->query);
    }
    if (auto it = h.find(http::field::host); it != h.end()) {
        // RFC 9112 3.2.2 lets the target's authority win, but two names for one
        // request is how a front proxy and gatekeeper end up judging different
        // hosts: refuse it instead.
        if (!authority.empty() && host_without_port(authority) != host_without_port(it->value()))
            return fail(std::string("the Host header disagrees with the request target's authority"));
        if (authority.empty()) authority = std::string(it->value());
    }
    r.host = host_without_port(authority);
    r.authority = authority;
    r.target = std::string(h.target());
    r.client_address = client_behind_proxies(h, info, trusted_proxies);
    r.secure = info.tls;
    r.client_cert = info.client_cert;
    r.headers.reserve(16);
    for (const auto& f : h) r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    if (info.trusted && !info.tls) {
        auto proto = r.get("X-Forwarded-Proto");
        if (proto && gate::iequals(*proto, "https")) r.secure = true;
    }
    return r;
}

}  // namespace gk::server
