#pragma once
// Streams one HTTP message from `in` to `out` through a fixed buffer, the
// message re-serialized by Beast (never passed through byte for byte), so a
// 1 GiB body costs 64 KiB of memory. Shape of Beast's documented relay example.
#include <algorithm>
#include <array>
#include <span>
#include <chrono>
#include <string_view>
#include <tuple>

#include "gatekeeper/gate/chunked_check.hpp"
#include "server/net.hpp"

namespace gk::server {

struct RelayError {
    error_code read;          // failure reading from `in`
    error_code write;         // failure writing to `out`
    std::size_t written = 0;  // bytes that reached `out` (head included): 0 means nothing was sent
};

// Fills the parser's body buffer like http::async_read, but every byte read
// first passes the strict chunked-framing check (SECURITY.md S8). `checked`
// counts the bytes at the front of `buf` the check has already seen.
template <bool isRequest, class In>
asio::awaitable<error_code> read_checked_body(In& in, beast::flat_buffer& buf, http::parser<isRequest, http::buffer_body>& p,
                                             gate::ChunkedCheck& check, std::size_t& checked,
                                             std::chrono::milliseconds step_timeout) {
    const std::size_t room = p.get().body().size;
    p.eager(true);
    for (;;) {
        if (!check.done() && buf.size() > checked) {
            std::string_view fresh(static_cast<const char*>(buf.data().data()) + checked, buf.size() - checked);
            check.feed(fresh);
            if (check.failed()) co_return error_code(http::error::bad_chunk);
        }
        checked = buf.size();
        bool need_read = buf.size() == 0;
        if (!need_read) {
            error_code ec;
            const std::size_t n = p.put(buf.data(), ec);
            buf.consume(n);
            checked -= std::min(checked, n);
            if (ec == http::error::need_buffer) co_return error_code{};
            if (ec == http::error::need_more) need_read = true;
            else if (ec) co_return ec;
            else need_read = n == 0;
            if (p.is_done() || p.get().body().size < room) co_return error_code{};
        }
        if (!need_read) continue;
        beast::get_lowest_layer(in).expires_after(step_timeout);
        auto [ec, n] = co_await in.async_read_some(buf.prepare(16 * 1024), use_nothrow);
        if (ec == asio::error::eof) co_return error_code(http::error::partial_message);
        if (ec) co_return ec;
        buf.commit(n);
    }
}

// Reads the next piece of a body into `space`; returns its size. `check`
// (chunked requests only) sees every byte first; `checked` is its cursor.
template <bool isRequest, class In>
asio::awaitable<std::pair<error_code, std::size_t>> read_body_piece(In& in, beast::flat_buffer& in_buf,
                                                                     http::parser<isRequest, http::buffer_body>& p,
                                                                     std::span<char> space, gate::ChunkedCheck* check,
                                                                     std::size_t& checked,
                                                                     std::chrono::milliseconds step_timeout) {
    p.get().body().data = space.data();
    p.get().body().size = space.size();
    error_code ec;
    if (check) {
        ec = co_await read_checked_body(in, in_buf, p, *check, checked, step_timeout);
    } else {
        beast::get_lowest_layer(in).expires_after(step_timeout);
        std::size_t n = 0;
        std::tie(ec, n) = co_await http::async_read(in, in_buf, p, use_nothrow);
    }
    if (ec == http::error::need_buffer) ec = {};
    co_return std::pair{ec, space.size() - p.get().body().size};
}

// The whole request body in memory, for checks that hash it (Digest
// auth-int). More than `limit` bytes is http::error::body_limit.
template <class In>
asio::awaitable<std::pair<error_code, std::string>> read_whole_body(In& in, beast::flat_buffer& in_buf,
                                                                    http::request_parser<http::buffer_body>& p,
                                                                    std::size_t limit,
                                                                    std::chrono::milliseconds step_timeout) {
    std::string body;
    if (p.content_length() && *p.content_length() > limit)
        co_return std::pair{error_code(http::error::body_limit), std::string()};
    gate::ChunkedCheck check;
    std::size_t checked = 0;
    std::array<char, 16 * 1024> space;
    while (!p.is_done()) {
        auto [ec, n] = co_await read_body_piece(in, in_buf, p, std::span<char>(space), p.chunked() ? &check : nullptr,
                                                checked, step_timeout);
        if (ec) co_return std::pair{ec, std::string()};
        if (body.size() + n > limit) co_return std::pair{error_code(http::error::body_limit), std::string()};
        body.append(space.data(), n);
    }
    co_return std::pair{error_code{}, std::move(body)};
}

// `preread`: a body already read whole (read_whole_body); it is sent as is.
template <bool isRequest, class In, class Out>
asio::awaitable<RelayError> relay_body(In& in, beast::flat_buffer& in_buf,
                                       http::parser<isRequest, http::buffer_body>& p, Out& out,
                                       http::serializer<isRequest, http::buffer_body>& sr,
                                       std::chrono::milliseconds step_timeout,
                                       gate::ChunkedCheck* check = nullptr, std::string_view preread = {}) {
    std::array<char, 64 * 1024> chunk;
    std::size_t checked = 0;
    std::size_t written = 0;
    bool preread_sent = preread.empty();
    do {
        if (!p.is_done()) {
            auto [ec, n] = co_await read_body_piece(in, in_buf, p, std::span<char>(chunk), check, checked,
                                                    step_timeout);
            if (ec) co_return RelayError{ec, {}, written};
            p.get().body().size = n;
            p.get().body().data = chunk.data();
            p.get().body().more = !p.is_done();
        } else if (!preread_sent) {
            preread_sent = true;
            p.get().body().data = const_cast<char*>(preread.data());  // only read by the serializer
            p.get().body().size = preread.size();
            p.get().body().more = false;
        } else {
            p.get().body().data = nullptr;
            p.get().body().size = 0;
            p.get().body().more = false;
        }
        beast::get_lowest_layer(out).expires_after(step_timeout);
        auto [wec, m] = co_await http::async_write(out, sr, use_nothrow);
        written += m;
        if (wec == http::error::need_buffer) wec = {};
        if (wec) co_return RelayError{{}, wec, written};
    } while (!p.is_done() && !sr.is_done());
    co_return RelayError{{}, {}, written};
}

}  // namespace gk::server
