// A request head as the server parses it: check_request_head on the raw bytes
// first, then Beast's request_parser on the same bytes (src/server/session.cpp,
// same parser type and limits). check_request_head's own invariants are
// fuzz_head_check's job; this target checks that the two parsers agree, since
// a gateway whose framing check and framing parser disagree is how requests
// get smuggled (SECURITY.md 5).
// - Beast may accept what check_request_head refuses (we are stricter).
// - What check_request_head accepts, Beast parses to the end of the same head
//   with the same method, target, version, Content-Length and chunked flag.
//   One known exception: Beast refuses a Connection or Proxy-Connection value
//   that is not a token list (bad_value), which check_request_head leaves
//   alone; the server answers that with 400 and close too. Such a head must
//   parse once those lines are dropped, and is then checked like any other.
// - What both accept holds the 5.1 rules on Beast's view, which is what the
//   rest of the server reads: TE only as a lone "chunked" on HTTP/1.1 and never
//   with CL; at most one CL, of digits; no folded or merged lines (one Beast
//   field per raw line); one Host on HTTP/1.1; at most one Authorization; no
//   '_' in names; no CR, LF or NUL in values; a request without a body is
//   complete after its head, so the next bytes are the next request for both.
// Beast is used header-only here: the fuzz preset builds no server, and one
// translation unit of Beast costs less than linking the server's copy.
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/gate/head_check.hpp"
#include "gatekeeper/gate/policy.hpp"

namespace {

namespace http = boost::beast::http;

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz_http_head: %s\n", what);
    std::abort();
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Field lines between the request line and the empty line that ends the head.
std::size_t raw_field_lines(std::string_view raw) {
    std::size_t lines = 0;
    for (std::size_t at = raw.find("\r\n"); at != std::string_view::npos; at = raw.find("\r\n", at + 2))
        ++lines;
    return lines - 2;  // the request line and the final empty line
}

void check_both_accept(std::string_view raw, const gk::gate::HeadFacts& f,
                       const http::request_parser<http::buffer_body>& p) {
    const auto& req = p.get();
    check(req.method_string() == f.method, "method differs");
    check(req.target() == f.target, "target differs");
    check(req.version() == static_cast<unsigned>(f.version_major * 10 + f.version_minor), "version differs");
    check(p.chunked() == f.chunked, "chunked differs");
    const auto cl = p.content_length();
    check(cl.has_value() == f.content_length.has_value() && (!cl || *cl == *f.content_length),
          "Content-Length differs");

    // S1, 5.1 gaps 1-3: TE is one "chunked" on 1.1, alone, and then framing is chunked.
    const auto te = req.count(http::field::transfer_encoding);
    const auto cls = req.count(http::field::content_length);
    if (te > 0) {
        check(te == 1 && iequals(req[http::field::transfer_encoding], "chunked"),
              "TE other than one chunked");
        check(p.chunked() && req.version() == 11 && cls == 0, "TE without chunked framing");
    }
    check(!(p.chunked() && cl), "chunked and Content-Length");
    // S2, S3: one CL of plain digits, and it is the one framing the body.
    check(cls <= 1, "two Content-Length fields");
    if (cls == 1) check(all_digits(req[http::field::content_length]) && cl.has_value(), "odd Content-Length");
    // S9 and the credential rule.
    check(req.count(http::field::host) <= 1, "two Host fields");
    if (req.version() == 11) check(req.count(http::field::host) == 1, "HTTP/1.1 without Host");
    check(req[http::field::host] == f.host, "Host differs");
    check(req.count(http::field::authorization) <= 1, "two Authorization fields");
    check(req.count(http::field::proxy_authorization) <= 1, "two Proxy-Authorization fields");

    // S5-S7: every raw line is one field, unfolded values never hide CR/LF/NUL.
    std::size_t fields = 0;
    for (const auto& field : req) {
        ++fields;
        const auto name = field.name_string();
        check(!name.empty() && name.find_first_of(" \t_:") == std::string_view::npos, "odd field name");
        check(field.value().find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos,
              "CR, LF or NUL in a value");
    }
    check(fields == raw_field_lines(raw), "field lines folded or dropped");

    // The head ends where check_request_head says, and a request without a
    // body is complete: whatever follows is parsed as the next request.
    check(p.is_header_done(), "header not done");
    check(p.is_done() == (!p.chunked() && cl.value_or(0) == 0), "body framing differs");
}

struct Beast {
    http::request_parser<http::buffer_body> parser;
    boost::beast::error_code ec;
    std::size_t used = 0;
};

// As session.cpp does it: the whole head in one put(), the default limits.
std::unique_ptr<Beast> parse(std::string_view raw, const gk::gate::Limits& limits) {
    auto b = std::make_unique<Beast>();
    b->parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes + 1));
    b->parser.body_limit(limits.max_body_bytes);
    b->used = b->parser.put(boost::asio::buffer(raw.data(), raw.size()), b->ec);
    return b;
}

bool is_connection_line(std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const auto name = line.substr(0, colon);
    return iequals(name, "Connection") || iequals(name, "Proxy-Connection");
}

// The head without its Connection and Proxy-Connection lines.
std::string without_connection(std::string_view raw) {
    std::string out;
    std::size_t at = 0;
    for (std::size_t end = raw.find("\r\n"); end != std::string_view::npos; end = raw.find("\r\n", at)) {
        const auto line = raw.substr(at, end + 2 - at);
        if (at == 0 || !is_connection_line(line)) out += line;
        at = end + 2;
    }
    return out;
}

void check_accepted(std::string_view raw, const gk::gate::HeadFacts& facts, const gk::gate::Limits& limits,
                    const Beast& b) {
    if (b.ec == http::error::body_limit) {
        // Beast framed the head but refuses the size: the server answers 413.
        check(facts.content_length && *facts.content_length > limits.max_body_bytes, "unexpected body_limit");
        return;
    }
    if (b.ec) std::fprintf(stderr, "fuzz_http_head: Beast: %s\n", b.ec.message().c_str());
    check(!b.ec, "check_request_head accepts what Beast rejects");
    check(b.used == raw.size(), "Beast ends the head elsewhere");
    check_both_accept(raw, facts, b.parser);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const gk::gate::Limits limits;  // the defaults the server starts with
    const auto facts = gk::gate::check_request_head(raw);
    const auto beast = parse(raw, limits);  // always, so Beast is fuzzed on every input
    if (!facts) return 0;                   // stricter than Beast is fine: the server answers 400

    if (beast->ec == http::error::bad_value) {
        const std::string rest = without_connection(raw);
        check(rest.size() < raw.size(), "bad_value without a Connection field");
        const auto rest_facts = gk::gate::check_request_head(rest);
        check(rest_facts.ok(), "dropping Connection lines made the head invalid");
        check_accepted(rest, *rest_facts, limits, *parse(rest, limits));
        return 0;
    }
    check_accepted(raw, *facts, limits, *beast);
    return 0;
}
