#include "server/https_get.hpp"

#include <boost/url/parse.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "server/outbound_tls.hpp"

// GCC 12 sees Asio's coroutine frame operator new (inlined: aligned_alloc) and
// its operator delete (not inlined) in the ramp of a large coroutine and calls
// them mismatched: a false positive (GCC bug 109224, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace gk::server {
namespace {

constexpr std::size_t kMaxHeaderBytes = 32 * 1024;

std::string host_header(const HttpsUrl& u) {
    std::string h = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    if (u.port != 443) h += ":" + std::to_string(u.port);
    return h;
}

}  // namespace

Result<HttpsUrl, std::string> parse_https_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return fail(std::string("not an absolute URL"));
    const auto& u = *parsed;
    if (u.scheme_id() != boost::urls::scheme::https) return fail(std::string("not an https URL"));
    if (u.has_userinfo()) return fail(std::string("URL carries user info"));
    HttpsUrl out;
    out.host = u.host_address();
    if (out.host.empty()) return fail(std::string("URL has no host"));
    if (u.has_port()) {
        if (u.port_number() == 0) return fail(std::string("URL has a bad port"));
        out.port = u.port_number();
    }
    const std::string path = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
    out.target = path;
    if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
    out.display = "https://" + host_header(out) + path;
    return out;
}

asio::awaitable<Result<HttpsResponse, std::string>> https_get(const HttpsUrl& url, ssl::context& tls,
                                                              const HttpsGetOptions& options) {
    auto ex = co_await asio::this_coro::executor;
    tls_stream stream(ex, tls);
    auto& low = beast::get_lowest_layer(stream);
    low.expires_at(options.deadline);  // covers every later read, write, connect and handshake

    if (is_ip_literal(url.host)) {
        auto [ec] = co_await low.async_connect(tcp::endpoint(asio::ip::make_address(url.host), url.port),
                                               use_nothrow);
        if (ec) co_return fail(io_failure("connect", ec));
    } else {
        // getaddrinfo cannot be interrupted: the deadline is checked once it answers.
        tcp::resolver resolver(ex);
        auto [rec, results] =
            co_await resolver.async_resolve(url.host, std::to_string(url.port), use_nothrow);
        if (rec) co_return fail(io_failure("resolve " + url.host, rec));
        if (std::chrono::steady_clock::now() >= options.deadline)
            co_return fail(std::string("resolve: timed out"));
        auto [ec, ep] = co_await low.async_connect(results, use_nothrow);
        if (ec) co_return fail(io_failure("connect", ec));
        // RFC 6066 section 3: SNI carries host names only, never addresses.
        if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
            co_return fail(std::string("TLS: cannot set server name"));
    }

    if (options.verify_tls) {
        stream.set_verify_mode(ssl::verify_peer);
        if (!require_peer_name(stream.native_handle(), url.host))
            co_return fail(std::string("TLS: cannot set the name to verify"));
    } else {
        stream.set_verify_mode(ssl::verify_none);
    }
    {
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, use_nothrow);
        if (ec) {
            const long verify = SSL_get_verify_result(stream.native_handle());
            if (options.verify_tls && verify != X509_V_OK)
                co_return fail(std::string("TLS: certificate not accepted: ") +
                               X509_verify_cert_error_string(verify));
            co_return fail(io_failure("TLS handshake", ec));
        }
    }

    http::request<http::empty_body> req{http::verb::get, url.target, 11};
    req.set(http::field::host, host_header(url));
    req.set(http::field::user_agent, "gatekeeper");
    req.set(http::field::accept, options.accept);
    req.set(http::field::connection, "close");
    {
        auto [ec, n] = co_await http::async_write(stream, req, use_nothrow);
        if (ec) co_return fail(io_failure("send request", ec));
    }

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(options.max_body);
    {
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
        if (ec == http::error::body_limit)
            co_return fail("response body over " + std::to_string(options.max_body) + " bytes");
        if (ec && !(ec == ssl::error::stream_truncated && parser.is_done()))
            co_return fail(io_failure("read response", ec));
    }

    HttpsResponse out;
    auto& msg = parser.get();
    out.status = msg.result_int();
    out.cache_control = std::string(msg[http::field::cache_control]);
    out.body = std::move(msg.body());
    // Connection: close was asked for; no TLS close_notify exchange needed
    // (the body was framed), so a silent peer cannot hold the fetch.
    error_code ignored;
    low.socket().shutdown(tcp::socket::shutdown_both, ignored);
    low.close();
    co_return out;
}

}  // namespace gk::server
