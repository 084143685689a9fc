#pragma once
// The request as the pure core sees it: already framed and hygiene-checked by
// the server, with the path normalized once (the same path is matched and sent
// upstream).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gk::gate {

struct Header {
    std::string name;   // as received
    std::string value;
};

// Why a presented client certificate did not verify, for the 401's body.
enum class CertProblem { none, untrusted, revoked, expired, not_yet_valid, invalid };
const char* to_string(CertProblem) noexcept;

// The client certificate of the TLS connection, read once after the handshake
// (server/client_cert). Present whenever the client sent one, verified or not.
struct ClientCertificate {
    bool verified = false;         // chains to the listener's client_ca, not revoked, in date
    CertProblem problem = CertProblem::none;
    std::string error;             // OpenSSL's text when not verified, e.g. "certificate revoked"
    std::string subject;           // RFC 4514 string, e.g. "CN=alice,OU=admins,O=Example"
    std::string subject_cn;        // the (last) CN, "" if none
    std::vector<std::string> ou;   // every OU of the subject, in order
    std::vector<std::string> san_dns, san_email, san_uri;
    std::string serial;            // upper-case hex
    std::int64_t not_after = 0;    // seconds since the epoch
    std::string thumbprint;        // RFC 8705 x5t#S256: base64url(SHA-256(DER)), no padding
};

struct Request {
    std::string method;           // case-sensitive, as received (RFC 9110 9.1)
    std::string host;             // lower-case, without port
    std::string authority;        // as received: the absolute-form authority, else Host
    std::string target;           // request-target exactly as received (Digest's uri must equal it)
    // The body, only when needs_request_body() asked the server to read it first.
    std::optional<std::string> body;
    std::string path;             // normalized (see gate/path.hpp)
    std::string query;            // without '?', not decoded
    bool secure = false;          // arrived over TLS (or a trusted front proxy said https)
    std::string client_address;   // peer address (or trusted X-Forwarded-For)
    std::vector<Header> headers;
    // Shared by every request of the connection; null without a certificate.
    std::shared_ptr<const ClientCertificate> client_cert;

    // All values of a header, case-insensitive name.
    [[nodiscard]] std::vector<std::string_view> all(std::string_view name) const;
    // The single value; nullopt if absent. Callers that need "exactly one" use count().
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
};

bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace gk::gate
