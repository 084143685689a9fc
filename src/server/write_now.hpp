#pragma once
// Writes and reads that finish at once when the socket is ready, as nginx
// does: one send() or recv() and nothing else. Only when the kernel cannot
// take (or give) the bytes now does the caller fall back to an asynchronous
// operation with its deadline, so the common small exchange arms no timer,
// allocates no operation and runs no completion handler.
//
// Plain TCP streams only (their sockets are in user non-blocking mode, set
// when the connection is made). A TLS stream answers "nothing done" and the
// caller takes the asynchronous path: a synchronous SSL write on a
// non-blocking socket could stop mid-record.
#include <chrono>
#include <type_traits>

#include <boost/asio/write.hpp>

#include "server/net.hpp"

namespace gk::server {

// Puts a plain socket in user non-blocking mode, so the helpers below never
// block. Asynchronous operations are unaffected.
inline void enable_write_now(tcp::socket& s) {
    error_code ignored;
    s.non_blocking(true, ignored);
}

// Bytes written now; `ec` set on a real error (never would_block).
template <class Stream, class Buffers>
std::size_t write_now(Stream& s, const Buffers& bufs, error_code& ec) {
    ec = {};
    if constexpr (std::is_same_v<Stream, plain_stream>) {
        auto& sock = s.socket();
        if (!sock.non_blocking()) return 0;
        const std::size_t n = sock.write_some(bufs, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
        return n;
    } else {
        return 0;
    }
}

// Bytes read now into `buf` (at most `max`); `ec` set on a real error,
// asio::error::eof at end of stream (never would_block).
template <class Stream>
std::size_t read_now(Stream& s, beast::flat_buffer& buf, std::size_t max, error_code& ec) {
    ec = {};
    if constexpr (std::is_same_v<Stream, plain_stream>) {
        auto& sock = s.socket();
        if (!sock.non_blocking()) return 0;
        const std::size_t n = sock.read_some(buf.prepare(max), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            ec = {};
            return 0;
        }
        if (!ec) buf.commit(n);
        return n;
    } else {
        return 0;
    }
}

// The asynchronous rest of a write that write_now() began (`done` bytes
// already sent), under the stream's deadline. Returns the total written.
template <class Stream, class Buffers>
asio::awaitable<std::pair<error_code, std::size_t>> write_rest(Stream& s, const Buffers& bufs, std::size_t done,
                                                               std::chrono::milliseconds timeout) {
    beast::buffers_suffix<Buffers> rest(bufs);
    rest.consume(done);
    beast::get_lowest_layer(s).expires_after(timeout);
    auto [ec, n] = co_await asio::async_write(s, rest, use_nothrow);
    co_return std::pair{ec, done + n};
}

}  // namespace gk::server
