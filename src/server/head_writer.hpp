#pragma once
// A message head serialized into one contiguous, reused buffer, byte for byte
// what Beast's serializer would emit for the same header (start line, the
// fields in their stored order, CRLF). One buffer instead of Beast's three
// per field: the write is one iovec, and no buffers_cat_view walk per byte
// range. Used by the proxy's fast path; bodies and chunked framing still go
// through Beast's serializer.
#include <string>
#include <string_view>

#include "server/net.hpp"

namespace gk::server {

namespace detail {
inline void append_fields(std::string& out, const http::fields& f) {
    for (const auto& field : f) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.append(name.data(), name.size());
        out.append(": ", 2);
        out.append(value.data(), value.size());
        out.append("\r\n", 2);
    }
    out.append("\r\n", 2);
}
}  // namespace detail

// "<method> <target> HTTP/x.y\r\n" + fields + "\r\n" into `out` (cleared first).
inline void write_request_head(std::string& out, const http::request_header<>& h) {
    out.clear();
    const auto method = h.method_string();
    const auto target = h.target();
    out.append(method.data(), method.size());
    out.push_back(' ');
    out.append(target.data(), target.size());
    out.append(" HTTP/", 6);
    out.push_back(static_cast<char>('0' + h.version() / 10));
    out.push_back('.');
    out.push_back(static_cast<char>('0' + h.version() % 10));
    out.append("\r\n", 2);
    detail::append_fields(out, h);
}

// "HTTP/x.y ### <reason>\r\n" + fields + "\r\n" into `out` (cleared first).
// An empty reason is replaced by the standard one, as Beast does.
inline void write_response_head(std::string& out, const http::response_header<>& h) {
    out.clear();
    const unsigned code = h.result_int();
    char start[13] = {'H', 'T', 'T', 'P', '/',
                      static_cast<char>('0' + h.version() / 10), '.', static_cast<char>('0' + h.version() % 10), ' ',
                      static_cast<char>('0' + code / 100), static_cast<char>('0' + (code / 10) % 10),
                      static_cast<char>('0' + code % 10), ' '};
    out.append(start, sizeof start);
    auto reason = h.reason();
    if (reason.empty()) reason = http::obsolete_reason(static_cast<http::status>(code));
    out.append(reason.data(), reason.size());
    out.append("\r\n", 2);
    detail::append_fields(out, h);
}

}  // namespace gk::server
