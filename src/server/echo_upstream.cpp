#include "server/echo_upstream.hpp"

#include <array>
#include <thread>

#include "server/decision_response.hpp"
#include "server/net.hpp"

namespace gk::server {
namespace {

asio::awaitable<void> echo_session(tcp::socket sock) {
    beast::tcp_stream s(std::move(sock));
    beast::flat_buffer buf;
    std::array<char, 64 * 1024> scratch;
    for (;;) {
        http::request_parser<http::buffer_body> p;
        p.body_limit(boost::none);
        s.expires_after(std::chrono::seconds(60));
        auto [ec, n] = co_await http::async_read_header(s, buf, p, use_nothrow);
        if (ec) break;
        std::uint64_t body_bytes = 0;
        while (!p.is_done()) {
            p.get().body().data = scratch.data();
            p.get().body().size = scratch.size();
            auto [rec, m] = co_await http::async_read(s, buf, p, use_nothrow);
            if (rec == http::error::need_buffer) rec = {};
            if (rec) co_return;
            body_bytes += scratch.size() - p.get().body().size;
        }
        const auto& req = p.get();
        std::string body = "{\"method\":\"" + json_escape(req.method_string()) + "\",\"path\":\"" +
                           json_escape(req.target()) + "\",\"headers\":{";
        bool first = true;
        for (const auto& f : req) {
            if (!first) body += ",";
            first = false;
            body += "\"" + json_escape(f.name_string()) + "\":\"" + json_escape(f.value()) + "\"";
        }
        body += "},\"body_bytes\":" + std::to_string(body_bytes) + "}\n";
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::server, "gatekeeper-demo-echo");
        res.keep_alive(req.keep_alive());
        res.body() = std::move(body);
        res.prepare_payload();
        auto [wec, w] = co_await http::async_write(s, res, use_nothrow);
        if (wec || !res.keep_alive()) break;
    }
    error_code ignore;
    s.socket().shutdown(tcp::socket::shutdown_both, ignore);
}

asio::awaitable<void> echo_accept(tcp::acceptor& acc) {
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(use_nothrow);
        if (ec) co_return;
        asio::co_spawn(acc.get_executor(), echo_session(std::move(sock)), asio::detached);
    }
}

}  // namespace

struct EchoUpstream::Impl {
    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::thread thread;
};

EchoUpstream::EchoUpstream(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->ioc, echo_accept(impl_->acceptor), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

EchoUpstream::~EchoUpstream() {
    impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t EchoUpstream::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace gk::server
