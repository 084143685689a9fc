#pragma once
// The `acme:` section of the config (RFC 8555 certificates): plain values,
// read by config/acme_section.cpp, used by server/acme_service.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace gk::acme {

inline constexpr const char* kLetsEncryptDirectory = "https://acme-v02.api.letsencrypt.org/directory";

// How the CA checks that we control a host: HTTP-01 (RFC 8555 section 8.3)
// asks the plain listener on port 80, TLS-ALPN-01 (RFC 8737) the HTTPS one on 443.
enum class ChallengeType { http01, tls_alpn01 };
// The name the CA and the config use: "http-01", "tls-alpn-01".
inline std::string_view challenge_name(ChallengeType t) {
    return t == ChallengeType::tls_alpn01 ? "tls-alpn-01" : "http-01";
}

struct Settings {
    bool enabled = false;  // true when the config has an `acme:` section
    std::string directory = kLetsEncryptDirectory;
    std::string email;                // optional account contact (mailto:)
    std::string ca_file;              // PEM roots for the directory's HTTPS; empty: the system's
    std::vector<std::string> hosts;   // one certificate per host name
    ChallengeType challenge = ChallengeType::http01;
    double renew_at = 2.0 / 3.0;      // renew once this fraction of the lifetime has passed
    std::chrono::milliseconds retry_min{std::chrono::minutes(1)};  // back-off after a failure,
    std::chrono::milliseconds retry_max{std::chrono::hours(1)};    // doubling up to this
    int line = 0;
};

// Where the service keeps what it obtains, under the state folder:
//   <state_dir>/acme/account.key            the ACME account key (0600)
//   <state_dir>/acme/<host>/cert.pem, key.pem  one certificate per host
// The TLS listener serves each (host, cert_file, key_file) for SNI `host`.
struct ManagedCertificate {
    std::string host;
    std::string cert_file;
    std::string key_file;
};
inline std::string acme_dir(const std::string& state_dir) { return state_dir + "/acme"; }
inline std::vector<ManagedCertificate> managed_certificates(const Settings& s, const std::string& state_dir) {
    std::vector<ManagedCertificate> out;
    if (!s.enabled) return out;
    for (const auto& h : s.hosts) {
        const std::string dir = acme_dir(state_dir) + "/" + h;
        out.push_back({h, dir + "/cert.pem", dir + "/key.pem"});
    }
    return out;
}

}  // namespace gk::acme
