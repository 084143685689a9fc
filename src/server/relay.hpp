#pragma once
// Streams one HTTP message from `in` to `out` through a fixed buffer, the
// message re-serialized by Beast (never passed through byte for byte), so a
// 1 GiB body costs 64 KiB of memory. Shape of Beast's documented relay example.
#include <array>
#include <chrono>

#include "server/net.hpp"

namespace gk::server {

struct RelayError {
    error_code read;   // failure reading from `in`
    error_code write;  // failure writing to `out`
};

template <bool isRequest, class In, class Out>
asio::awaitable<RelayError> relay_body(In& in, beast::flat_buffer& in_buf,
                                       http::parser<isRequest, http::buffer_body>& p, Out& out,
                                       http::serializer<isRequest, http::buffer_body>& sr,
                                       std::chrono::milliseconds step_timeout) {
    std::array<char, 64 * 1024> chunk;
    do {
        if (!p.is_done()) {
            p.get().body().data = chunk.data();
            p.get().body().size = chunk.size();
            beast::get_lowest_layer(in).expires_after(step_timeout);
            auto [ec, n] = co_await http::async_read(in, in_buf, p, use_nothrow);
            if (ec == http::error::need_buffer) ec = {};
            if (ec) co_return RelayError{ec, {}};
            p.get().body().size = chunk.size() - p.get().body().size;
            p.get().body().data = chunk.data();
            p.get().body().more = !p.is_done();
        } else {
            p.get().body().data = nullptr;
            p.get().body().size = 0;
            p.get().body().more = false;
        }
        beast::get_lowest_layer(out).expires_after(step_timeout);
        auto [wec, m] = co_await http::async_write(out, sr, use_nothrow);
        if (wec == http::error::need_buffer) wec = {};
        if (wec) co_return RelayError{{}, wec};
    } while (!p.is_done() && !sr.is_done());
    co_return RelayError{};
}

}  // namespace gk::server
