// The Beast transport of gk::client: resolve, connect, (TLS handshake with
// verification), write, read, close; a deadline over all of it.
#include "server/http_client.hpp"

#include <boost/url/parse.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <optional>

#include "server/net.hpp"
#include "server/outbound_tls.hpp"

// GCC 12 mismatched-new-delete false positive in coroutine frames (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace gk::server {
namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

std::string host_header(const HttpUrl& u) {
    std::string h = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    if (u.port != (u.tls ? 443 : 80)) h += ":" + std::to_string(u.port);
    return h;
}

using Reply = Result<client::Response, std::string>;

template <class Stream>
asio::awaitable<Reply> exchange(Stream& stream, const HttpUrl& origin, const client::Request& r,
                                std::size_t max_body) {
    auto verb = http::string_to_verb(r.method);
    http::request<http::string_body> req;
    if (verb == http::verb::unknown)
        req.method_string(r.method);
    else
        req.method(verb);
    req.target(r.target);
    req.version(11);
    req.set(http::field::host, host_header(origin));
    req.set(http::field::user_agent, "gatekeeper-fetch");
    req.set(http::field::connection, "close");
    for (const auto& [k, v] : r.headers) req.insert(k, v);
    if (!r.body.empty() || verb == http::verb::post || verb == http::verb::put || verb == http::verb::patch) {
        req.body() = r.body;
        req.prepare_payload();
    }
    {
        auto [ec, n] = co_await http::async_write(stream, req, use_nothrow);
        if (ec) co_return fail(io_failure("send request", ec));
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(max_body);
    if (verb == http::verb::head) parser.skip(true);
    {
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
        if (ec == http::error::body_limit) co_return fail("response body over " + std::to_string(max_body) + " bytes");
        if (ec && !(ec == ssl::error::stream_truncated && parser.is_done()))
            co_return fail(io_failure("read response", ec));
    }
    client::Response out;
    auto& msg = parser.get();
    out.status = msg.result_int();
    for (const auto& f : msg) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(msg.body());
    co_return out;
}

asio::awaitable<Result<Ok, std::string>> connect_to(beast::tcp_stream& low, const HttpUrl& u) {
    auto ex = co_await asio::this_coro::executor;
    if (is_ip_literal(u.host)) {
        auto [ec] = co_await low.async_connect(tcp::endpoint(asio::ip::make_address(u.host), u.port), use_nothrow);
        if (ec) co_return fail(io_failure("connect", ec));
        co_return Ok{};
    }
    tcp::resolver resolver(ex);
    auto [rec, results] = co_await resolver.async_resolve(u.host, std::to_string(u.port), use_nothrow);
    if (rec) co_return fail(io_failure("resolve " + u.host, rec));
    auto [ec, ep] = co_await low.async_connect(results, use_nothrow);
    if (ec) co_return fail(io_failure("connect", ec));
    co_return Ok{};
}

asio::awaitable<Reply> run_plain(HttpUrl u, client::Request r, HttpClientOptions o) {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(o.timeout);
    if (auto c = co_await connect_to(stream, u); !c) co_return fail(c.error());
    auto out = co_await exchange(stream, u, r, o.max_body);
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return out;
}

asio::awaitable<Reply> run_tls(HttpUrl u, client::Request r, HttpClientOptions o, ssl::context& tls) {
    tls_stream stream(co_await asio::this_coro::executor, tls);
    auto& low = beast::get_lowest_layer(stream);
    low.expires_after(o.timeout);
    if (auto c = co_await connect_to(low, u); !c) co_return fail(c.error());
    // RFC 6066 3: SNI carries names only, never addresses.
    if (!is_ip_literal(u.host) && !SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str()))
        co_return fail(std::string("TLS: cannot set server name"));
    if (o.verify_tls) {
        stream.set_verify_mode(ssl::verify_peer);
        if (!require_peer_name(stream.native_handle(), u.host))
            co_return fail(std::string("TLS: cannot set the name to verify"));
    } else {
        stream.set_verify_mode(ssl::verify_none);
    }
    {
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, use_nothrow);
        if (ec) {
            const long verify = SSL_get_verify_result(stream.native_handle());
            if (o.verify_tls && verify != X509_V_OK)
                co_return fail(std::string("TLS: certificate not accepted: ") + X509_verify_cert_error_string(verify));
            co_return fail(io_failure("TLS handshake", ec));
        }
    }
    auto out = co_await exchange(stream, u, r, o.max_body);
    // Connection: close was asked for and the body is framed: no close_notify wait.
    error_code ignored;
    low.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return out;
}

// One exchange; the result goes to `out` (Result has no default value for
// co_spawn's completion to carry).
asio::awaitable<void> run_one(HttpUrl u, client::Request r, HttpClientOptions o, std::shared_ptr<ssl::context> tls,
                              std::optional<Reply>& out) {
    if (tls)
        out.emplace(co_await run_tls(std::move(u), std::move(r), std::move(o), *tls));
    else
        out.emplace(co_await run_plain(std::move(u), std::move(r), std::move(o)));
}

}  // namespace

Result<HttpUrl, std::string> parse_http_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return fail(std::string("not an absolute URL"));
    const auto& u = *parsed;
    HttpUrl out;
    if (u.scheme_id() == boost::urls::scheme::https) {
        out.tls = true;
        out.port = 443;
    } else if (u.scheme_id() != boost::urls::scheme::http) {
        return fail(std::string("not an http or https URL"));
    }
    if (u.has_userinfo()) return fail(std::string("URL carries user info (use -u)"));
    out.host = u.host_address();
    if (out.host.empty()) return fail(std::string("URL has no host"));
    if (u.has_port()) {
        if (u.port_number() == 0) return fail(std::string("URL has a bad port"));
        out.port = u.port_number();
    }
    out.target = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
    if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
    return out;
}

Result<client::Transport, std::string> make_http_transport(const HttpUrl& origin, const HttpClientOptions& options) {
    std::shared_ptr<ssl::context> tls;
    if (origin.tls) {
        tls = std::make_shared<ssl::context>(ssl::context::tls_client);
        tls->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
        error_code ec;
        if (!options.cacert.empty())
            tls->load_verify_file(options.cacert, ec);
        else
            tls->set_default_verify_paths(ec);
        if (ec) return fail("TLS roots " + (options.cacert.empty() ? std::string("(system)") : options.cacert) +
                            ": " + ec.message());
    }
    return client::Transport([origin, options, tls](const client::Request& r) -> Reply {
        asio::io_context ioc;
        std::optional<Reply> result;
        asio::co_spawn(ioc, run_one(origin, r, options, tls, result), [](std::exception_ptr) {});
        ioc.run();
        if (!result) return fail(std::string("internal error in the transport"));
        return std::move(*result);
    });
}

}  // namespace gk::server
