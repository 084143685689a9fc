#include "server/request_builder.hpp"

#include "gatekeeper/gate/path.hpp"
#include "server/session.hpp"

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

Result<gate::Request, std::string> build_gate_request(const http::request_header<>& h, const ConnInfo& info) {
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
    if (authority.empty()) {
        auto it = h.find(http::field::host);
        if (it != h.end()) authority = std::string(it->value());
    }
    r.host = host_without_port(authority);
    r.authority = authority;
    r.target = std::string(h.target());
    r.client_address = info.peer_text;
    r.secure = info.tls;
    r.headers.reserve(16);
    for (const auto& f : h) r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    if (info.trusted && !info.tls) {
        auto proto = r.get("X-Forwarded-Proto");
        if (proto && gate::iequals(*proto, "https")) r.secure = true;
    }
    return r;
}

}  // namespace gk::server
