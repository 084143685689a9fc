#include "server/outbound_tls.hpp"

#include <openssl/x509_vfy.h>

namespace gk::server {

bool is_ip_literal(const std::string& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

std::string io_failure(std::string_view step, const error_code& ec) {
    if (ec == beast::error::timeout) return std::string(step) + ": timed out";
    return std::string(step) + ": " + ec.message();
}

bool require_peer_name(SSL* ssl, const std::string& host) {
    if (is_ip_literal(host)) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set1_host(ssl, host.c_str()) == 1;
}

}  // namespace gk::server
