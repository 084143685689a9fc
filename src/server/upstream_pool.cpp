#include "server/upstream_pool.hpp"

#include <openssl/ssl.h>

#include "server/write_now.hpp"

namespace gk::server {
namespace {
// Upstreams (nginx: keepalive_timeout 75 s) close idle connections; we stop
// reusing ours well before that to avoid racing their close.
constexpr auto kMaxIdle = std::chrono::seconds(20);
}  // namespace

std::unique_ptr<UpstreamConnection> UpstreamPool::take(const std::string& name) {
    auto it = idle_.find(name);
    if (it == idle_.end()) return nullptr;
    auto& v = it->second;
    const auto now = std::chrono::steady_clock::now();
    while (!v.empty()) {
        auto c = std::move(v.back());
        v.pop_back();
        if (now - c->idle_since > kMaxIdle || !c->lowest().socket().is_open()) continue;
        // Bytes on an idle connection answer no request of ours: it is out of step, drop it.
        error_code ec;
        if (c->lowest().socket().available(ec) > 0 || ec) continue;
        c->reused = true;
        return c;
    }
    return nullptr;
}

void UpstreamPool::give_back(const std::string& name, std::unique_ptr<UpstreamConnection> c, std::size_t max_idle) {
    auto& v = idle_[name];
    if (v.size() >= max_idle) return;
    // Leftover bytes after a complete response: the upstream sent more than
    // it framed. Such a connection is never reused.
    if (c->buffer.size() > 0) return;
    c->idle_since = std::chrono::steady_clock::now();
    v.push_back(std::move(c));
}

asio::awaitable<std::pair<error_code, std::unique_ptr<UpstreamConnection>>> connect_upstream(
    const gate::Upstream& up, ssl::context& client_tls) {
    auto ex = co_await asio::this_coro::executor;
    auto conn = std::make_unique<UpstreamConnection>();
    tcp::resolver resolver(ex);
    auto [rec, results] = co_await resolver.async_resolve(up.host, std::to_string(up.port), use_nothrow);
    if (rec) co_return std::pair{rec, nullptr};
    if (up.tls) conn->tls.emplace(ex, client_tls);
    else conn->plain.emplace(ex);
    auto& low = conn->lowest();
    low.expires_after(up.connect_timeout);
    auto [cec, ep] = co_await low.async_connect(results, use_nothrow);
    if (cec) co_return std::pair{cec, nullptr};
    low.socket().set_option(tcp::no_delay(true));
    if (!up.tls) enable_write_now(low.socket());
    if (up.tls) {
        if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), up.host.c_str()))
            co_return std::pair{error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
                                nullptr};
        if (up.verify_tls) {
            conn->tls->set_verify_mode(ssl::verify_peer);
            conn->tls->set_verify_callback(ssl::host_name_verification(up.host));
        } else {
            conn->tls->set_verify_mode(ssl::verify_none);
        }
        auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, use_nothrow);
        if (hec) co_return std::pair{hec, nullptr};
    }
    low.expires_never();
    co_return std::pair{error_code{}, std::move(conn)};
}

}  // namespace gk::server
