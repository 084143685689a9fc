#pragma once
// HTTPS by default (issue 9): what a request that arrived over plain HTTP may
// do, decided before anything else looks at it.
//
// A plain-HTTP listener on a network address (not 127.0.0.0/8 or ::1) is a
// redirect listener unless the config says `insecure: true`: every request is
// sent to https with 308, except one that carries a credential. Redirecting
// that one would make the client send the credential again; it has crossed
// the network in clear text already and must be treated as burnt, so it is
// refused (403) and never evaluated, cached, counted or forwarded.
// A trusted front proxy's X-Forwarded-Proto: https makes a request secure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/request.hpp"

namespace gk::gate {

enum class ListenerTransport {
    tls,             // TLS listener
    loopback_plain,  // plain HTTP on 127.0.0.0/8 or ::1 (the demo): allowed
    insecure_plain,  // plain HTTP on a network address, `insecure: true`: allowed, warned at start
    redirect_plain,  // plain HTTP on a network address: redirect to https, refuse credentials
};
const char* to_string(ListenerTransport) noexcept;

[[nodiscard]] ListenerTransport transport_of(const Listener& l) noexcept;

// RFC 8555 8.3: the HTTP-01 challenge is fetched over plain HTTP under this prefix.
inline constexpr std::string_view kAcmeChallengePrefix = "/.well-known/acme-challenge/";

struct TransportInput {
    ListenerTransport listener = ListenerTransport::tls;
    bool secure = false;         // TLS, or a trusted proxy's X-Forwarded-Proto: https
    std::string_view authority;  // Host (or absolute-form authority) as received; "" = none
    std::string_view path;       // normalized
    std::string_view query;      // raw, without '?'
    std::optional<std::string>
        credential;  // the credential the request carries, by name (carried_credential)
    std::uint16_t https_port = 443;
};

struct TransportVerdict {
    enum class Kind {
        pass,               // process the request normally
        redirect,           // 308 to `location`
        refuse_credential,  // 403: `credential` arrived in clear text
        bad_host,           // 400: no Host to build a redirect from (never an open redirect)
        acme_challenge,     // an ACME HTTP-01 fetch on a plain listener
    };
    Kind kind = Kind::pass;
    std::string location;
    std::string credential;
};

[[nodiscard]] TransportVerdict check_transport(const TransportInput& in);

// The host part of an authority ("Host" value), lower-case and ready for a
// URL: a DNS name (letters, digits, '-', '.'; labels of 1-63 characters), a
// dotted IPv4 address or a bracketed IPv6 literal, with an optional port that
// is dropped. Anything else (userinfo, '%', a zone id, control characters,
// an empty name) is nullopt.
[[nodiscard]] std::optional<std::string> redirect_host(std::string_view authority);

// "https://<host>[:port]<path>[?query]"; the port is left out when 443.
// nullopt when redirect_host refuses the authority.
[[nodiscard]] std::optional<std::string> https_location(std::string_view authority, std::uint16_t https_port,
                                                        std::string_view path, std::string_view query);

// The first credential the request carries, by name, never its value:
// "Authorization", "Proxy-Authorization", an API-key header some route names,
// the "access_token" query parameter (RFC 6750 2.3, whether or not a route
// accepts it: a token in a URL is burnt either way), or the session cookie
// ("__Host-<prefix>" or "<prefix>"). nullopt: none.
[[nodiscard]] std::optional<std::string> carried_credential(const Policy& policy, const Request& req);

// The Strict-Transport-Security field value for the settings; "" when off.
[[nodiscard]] std::string hsts_value(const HstsSettings& s);

}  // namespace gk::gate
