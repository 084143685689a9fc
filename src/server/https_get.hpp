#pragma once
// A small HTTPS GET client for fetching key sets and discovery documents: one
// request per fresh connection, a deadline on the whole exchange, the
// certificate verified against the context's roots with SNI and host name (or
// IP address) checks, and a bounded body. Errors are short texts without
// secrets (no query string, no body).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "server/net.hpp"

namespace gk::server {

struct HttpsUrl {
    std::string host;  // name, or IP address without brackets
    std::uint16_t port = 443;
    std::string target;   // origin-form: path and query, at least "/"
    std::string display;  // https://host[:port]/path, without the query (for logs)
};

// An absolute https URL without user info. Anything else: a reason.
Result<HttpsUrl, std::string> parse_https_url(std::string_view url);

struct HttpsGetOptions {
    std::chrono::steady_clock::time_point deadline;  // the whole exchange: resolve to last body byte
    bool verify_tls = true;                          // off only in tests of gatekeeper itself
    std::size_t max_body = 1 << 20;
    std::string_view accept = "application/json";
};

struct HttpsResponse {
    unsigned status = 0;
    std::string body;
    std::string cache_control;
};

// Any status is a response; a transport, TLS or framing problem is a reason.
asio::awaitable<Result<HttpsResponse, std::string>> https_get(const HttpsUrl& url, ssl::context& tls,
                                                              const HttpsGetOptions& options);

}  // namespace gk::server
