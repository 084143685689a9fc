#pragma once
// Request-head hygiene (SECURITY.md 5, rows S1-S7, S9, S10, and the Beast 1.81
// gaps of 5.1). Runs on the RAW head bytes before Beast parses them, so nothing
// Beast would silently repair (obs-fold) or let through (odd Transfer-Encoding,
// TE on HTTP/1.0) reaches the framing or the auth decision. Any error means
// 400 and close: a gateway never guesses where a request ends.
//
// Policy beyond the RFC MUSTs, each to keep two parsers from disagreeing:
//   - Transfer-Encoding must be exactly one "chunked" (one line, one element),
//     only on HTTP/1.1, never together with Content-Length.
//   - Content-Length must appear once, as 1*DIGIT <= 2^63-1; "5, 5" is refused
//     even though RFC 9110 8.6 would allow folding it.
//   - Header names with '_' are refused: CGI-style upstreams map '_' and '-' to
//     the same variable, so X_Forwarded_User would pass for X-Forwarded-User.
//   - A leading empty line before the request line is refused (RFC 9112 2.2
//     lets servers skip it; refusing is simpler and no client needs it).
//   - Host must be empty or a plain host[:port] (see is_valid_authority).
// Two Authorization (or Proxy-Authorization) lines are refused too. Chunk
// framing (S8, a body matter) is gate/chunked_check.hpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"

namespace gk::gate {

enum class HeadError {
    bare_lf,                  // LF not preceded by CR
    bare_cr,                  // CR not followed by LF
    nul,                      // NUL byte anywhere
    obs_fold,                 // a field line starting with SP/HTAB (continuation)
    space_before_colon,       // "Host : a"
    leading_whitespace_line,  // whitespace right after the request line
    bad_request_line,         // not "method SP target SP HTTP/x.y", or an empty first line
    bad_version,              // HTTP/ but neither 1.0 nor 1.1
    te_not_chunked,           // Transfer-Encoding other than exactly one "chunked"
    te_with_http10,           // Transfer-Encoding on an HTTP/1.0 request
    te_and_cl,                // Transfer-Encoding and Content-Length together
    multiple_cl,              // two Content-Length lines, or a list
    bad_cl,                   // Content-Length not 1*DIGIT or above 2^63-1
    multiple_host,            // two Host lines
    multiple_credentials,     // two Authorization (or Proxy-Authorization) lines: which one is checked?
    missing_host,             // HTTP/1.1 without Host
    bad_header_name,          // empty, not a token, or no ':'
    bad_header_value,         // CTL other than HTAB in a value; malformed Host value
    underscore_in_name,       // '_' in a header name
    incomplete,               // does not end in CRLFCRLF, or bytes after the first empty line
};

const char* to_string(HeadError e) noexcept;

struct HeadFacts {
    std::string method;  // case-sensitive token
    std::string target;  // raw request-target, not normalized (see gate/path.hpp)
    int version_major = 1, version_minor = 1;
    bool chunked = false;
    std::optional<std::uint64_t> content_length;
    std::string host;  // Host value without surrounding OWS; empty if absent or empty
};

// raw_head: everything up to and including the first CRLFCRLF.
Result<HeadFacts, HeadError> check_request_head(std::string_view raw_head);

// For a head that outgrew `limit` bytes (`buffered`: what arrived of it): true
// when the request line alone does not fit, which RFC 9112 section 3 answers
// with 414 (URI Too Long) rather than 431 (the fields are too large).
[[nodiscard]] bool request_line_too_long(std::string_view buffered, std::size_t limit) noexcept;

}  // namespace gk::gate
