#pragma once
// The transport of gk::client (gatekeeper/client.hpp): one request per fresh
// connection over Beast, plain TCP or TLS. TLS verifies the certificate chain
// (the system roots, or only --cacert's) and the host name (or IP address) by
// default; redirects are never followed (the response is handed back as it is).
// Errors are short texts without secrets (no header, no body, no query).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/client.hpp"
#include "gatekeeper/common/result.hpp"

namespace gk::server {

struct HttpUrl {
    bool tls = false;
    std::string host;  // name, or IP address without brackets
    std::uint16_t port = 80;
    std::string target;  // origin-form: path and query, at least "/"
};

// An absolute http or https URL without user info (credentials belong in -u,
// not in a URL that ends up in logs and process lists).
Result<HttpUrl, std::string> parse_http_url(std::string_view url);

struct HttpClientOptions {
    std::string cacert;  // PEM file of trusted roots; empty: the system's
    bool verify_tls = true;
    std::chrono::milliseconds timeout{30000};  // per exchange: connect to last body byte
    std::size_t max_body = 64u << 20;
};

// A Transport for requests to `origin` (the Host, port and TLS of every
// request; the Request's target is sent as is). Fails if the TLS roots cannot
// be loaded.
Result<client::Transport, std::string> make_http_transport(const HttpUrl& origin, const HttpClientOptions& options);

}  // namespace gk::server
