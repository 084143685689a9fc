#pragma once
// The whole validated configuration as one immutable snapshot. Built by
// config/, published to the workers atomically, never mutated after.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gatekeeper/acme/settings.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/gate/route.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace gk::gate {

// Client certificates a TLS listener asks for (server/client_cert).
struct ClientCertSettings {
    // off: never asked. request: asked, verified if presented, and the routes
    // decide (an invalid one still completes the handshake). require: the
    // handshake fails with an alert without a valid certificate.
    enum class Mode { off, request, require };
    Mode mode = Mode::off;
    std::string ca_file;    // PEM bundle of the CAs client certificates must chain to
    std::string crl_file;   // PEM CRLs; "" = no revocation check
};
const char* to_string(ClientCertSettings::Mode) noexcept;

// One certificate of a TLS listener: the unit the server watches for change
// and reloads (tls_cert_set.hpp). cert_file may hold the chain after the leaf.
struct TlsCertificate {
    std::string cert_file;   // PEM
    std::string key_file;    // PEM
    int line = 0;            // where the config names it; 0 when added by code (ACME)
};

struct Listener {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    bool tls = false;
    // The first is served without SNI or when no SAN matches the SNI name.
    std::vector<TlsCertificate> certificates;
    bool session_tickets = true;
    std::chrono::seconds ticket_key_rotation{12 * 3600};
    bool ocsp_stapling = true;  // when the certificate names an http OCSP responder
    ClientCertSettings client_cert;
    bool loopback = false;   // address in 127.0.0.0/8 or ::1 (set by config/)
    // Plain HTTP only. insecure: credentials may arrive in the clear (warned
    // at every start). Otherwise a non-loopback plain listener redirects to
    // https on redirect_port (config: the listener's, else the first TLS
    // listener's port, else 443).
    bool insecure = false;
    std::uint16_t redirect_port = 443;
    int line = 0;
};

// Strict-Transport-Security (RFC 6797) on every response to a secure request.
struct HstsSettings {
    bool enabled = true;
    std::chrono::seconds max_age{365 * 24 * 60 * 60};
    bool include_subdomains = true;
    bool preload = false;
};

struct Upstream {
    std::string name;
    std::string url;                    // as configured, e.g. "http://127.0.0.1:3000/base"
    bool tls = false;                   // https
    std::string host;
    std::uint16_t port = 80;
    std::string base_path;              // "" or "/base" (no trailing slash)
    bool verify_tls = true;             // verify the upstream's certificate
    std::string ca_file;                // extra CA for https upstreams
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds response_timeout{30000};  // until response head: 504 past it
    std::size_t max_idle_per_thread = 32;
    int line = 0;
};

struct UserSource {
    // postgres: users in the state database (state.postgres), no path.
    enum class Kind { htpasswd, sqlite, htdigest, postgres };
    std::string name;
    Kind kind = Kind::htpasswd;
    std::string path;
    int line = 0;
};

struct Limits {
    std::size_t max_header_bytes = 32 * 1024;          // whole head -> 431
    std::size_t max_body_bytes = 1ull << 40;           // 1 TiB default: streamed, not buffered -> 413
    std::chrono::milliseconds header_timeout{10000};   // head not received -> 408
    std::chrono::milliseconds idle_timeout{60000};     // keep-alive idle
    std::chrono::milliseconds body_timeout{60000};     // no body progress
    std::chrono::milliseconds shutdown_grace{10000};   // SIGTERM: finish in-flight up to this
    // Client connections open at once, across all threads. At the cap the one
    // that has waited longest for a request head is closed to admit a newcomer;
    // with none waiting, accepting pauses and the kernel's backlog holds them.
    std::size_t max_connections = 10000;
    // Verified Basic credentials remembered per worker thread (0 entries or a
    // zero TTL turns the cache off: every request then pays a full hash).
    std::chrono::milliseconds credential_cache_ttl{60000};
    std::size_t credential_cache_entries = 10000;
};

struct IdentityHeaders {
    // Each is sent only if non-empty. Defaults: oauth2-proxy and Authelia names.
    std::vector<std::string> user = {"X-Auth-Request-User", "Remote-User"};
    std::vector<std::string> email = {"X-Auth-Request-Email", "Remote-Email"};
    std::vector<std::string> groups = {"X-Auth-Request-Groups", "Remote-Groups"};
    std::vector<std::string> scopes = {"X-Auth-Request-Scopes"};  // space-separated, Bearer only
};

struct Cidr {
    std::vector<std::uint8_t> bytes;  // 4 or 16
    unsigned prefix = 0;
};

// Digest (RFC 7616) on every route that lists it. One challenge per
// algorithm, in this order (strongest first); MD5 only for old clients.
struct DigestSettings {
    std::vector<schemes::DigestAlgorithm> algorithms = {schemes::DigestAlgorithm::sha256,
                                                        schemes::DigestAlgorithm::md5};
    std::chrono::seconds nonce_lifetime{300};
    std::size_t max_nonces = 100000;  // nonce-count memory (replay defence), per process
    // qop=auth-int hashes the request body: it is read whole (up to this
    // size, else 413) before the decision and then forwarded from memory.
    bool auth_int = true;
    std::size_t auth_int_max_body = 1 << 20;
    bool userhash = true;  // offer userhash=true (RFC 7616 3.4.4): the user name never crosses in clear
};

// Where an issuer's verification keys come from.
struct JwksSource {
    enum class Kind { url, discovery, file, self };  // self: gatekeeper's own signing keys (oauth:)
    Kind kind = Kind::file;
    std::string location;                       // https URL, issuer URL (discovery), or file path (JWKS or PEM)
    std::string ca_file;                        // extra CA for the https fetch; system store otherwise
    bool verify_tls = true;                     // never off outside tests of gatekeeper itself
    std::chrono::seconds refresh{300};          // when the response names no max-age
    std::chrono::seconds min_refresh_interval{30};   // floor for unknown-kid refetches and max-age
    std::chrono::milliseconds fetch_timeout{5000};
};

// How a verified client certificate becomes an identity (the mtls scheme).
struct MtlsSettings {
    enum class IdentityFrom { subject_cn, subject, san_email, san_dns, san_uri };
    IdentityFrom identity = IdentityFrom::subject_cn;
    bool groups_from_ou = true;    // each OU of the subject is a group
    // Extra groups by full subject DN (RFC 4514 text) or by CN; DN entries are tried first.
    std::map<std::string, std::vector<std::string>, std::less<>> group_map;
    int line = 0;
};
const char* to_string(MtlsSettings::IdentityFrom) noexcept;

// A trusted token issuer (RFC 7519 iss) and how its claims map to an identity.
struct BearerIssuer {
    std::string name;                           // config key; routes refer to it
    std::string issuer;                         // exact iss value
    JwksSource jwks;
    std::vector<std::string> audiences;         // any-of; empty = aud not checked (config warns)
    std::vector<crypto::SigAlg> algorithms = {  // allowed; asymmetric by default
        crypto::SigAlg::rs256, crypto::SigAlg::ps256, crypto::SigAlg::es256, crypto::SigAlg::es384,
        crypto::SigAlg::eddsa};
    std::string user_claim = "sub";             // or preferred_username, email
    std::string email_claim = "email";
    std::string groups_claim = "groups";        // dotted path, e.g. realm_access.roles
    std::chrono::seconds leeway{60};
    std::chrono::seconds max_age{0};            // 0 = no limit on now - iat
    std::string typ;                            // e.g. "at+jwt" (RFC 9068); empty = any
    std::vector<std::string> required_claims;
    int line = 0;
};

struct BearerSettings {
    std::size_t max_token_bytes = 8 * 1024;     // checked before any parsing
    // Verified tokens remembered per worker thread, keyed by a hash of the
    // token, until the earlier of exp and this bound (0 entries: off).
    std::chrono::seconds token_cache_ttl{300};
    std::size_t token_cache_entries = 10000;
};

// Browser sessions: the login page, the session cookie and its lifetimes.
struct SessionSettings {
    std::string login_path = "/.gatekeeper/login";   // where browsers are sent; may be an absolute URL
    std::string user_source;                         // who may log in (a name in users:); "" = none configured
    std::chrono::seconds idle_timeout{30 * 60};      // ends a session not used for this long
    std::chrono::seconds lifetime{12 * 60 * 60};     // ends every session this long after login
    // Hosts an absolute return URL may point at, besides the host the login
    // page itself was served on (no open redirect).
    std::vector<std::string> allowed_return_hosts;
    int line = 0;
};

// gatekeeper as an OAuth 2 authorization server and token issuer.
struct IssuerSettings {
    bool enabled = false;
    std::string url;                                 // iss of its tokens; its own routes trust it
    std::string database;                            // SQLite file (absolute once loaded)
    std::vector<std::string> audiences;              // aud of access tokens; empty = [url]
    crypto::SigAlg algorithm = crypto::SigAlg::es256;
    std::chrono::seconds access_token_ttl{10 * 60};
    std::chrono::seconds refresh_token_ttl{30 * 24 * 60 * 60};
    std::chrono::seconds code_ttl{60};
    std::chrono::seconds key_overlap{24 * 60 * 60}; // `keys rotate`: publish this long before signing
    int line = 0;
};

// The name under which gatekeeper's own tokens' issuer appears in
// Policy::issuers and in routes' `issuers:` lists.
inline constexpr std::string_view kSelfIssuerName = "gatekeeper";

// Where the state that several instances must share lives (the `state:`
// section). Without it everything stays in this process and its SQLite file,
// the zero-set-up default for one instance.
struct SharedState {
    // Redis for hot state (brute-force counters so far): host "" = none.
    std::string redis_host;
    std::uint16_t redis_port = 6379;
    unsigned redis_db = 0;
    // Bounds every wait on Redis: a check that needs it answers 503 after this.
    std::chrono::milliseconds redis_timeout{250};
    std::string redis_prefix = "gk:";  // before every key, so instances of other gates can share a server
    // AUTH on every connection: the password is read from this file at each
    // connect (so it can be rotated without a restart), never from the config.
    std::string redis_username;       // "" = Redis' default user
    std::string redis_password_file;  // "" = no AUTH
    // PostgreSQL for durable state (sessions, API keys, OAuth clients, codes,
    // refresh families, revocations, signing keys) instead of the SQLite file:
    // a libpq connection string; "" = none. It may name a passfile, never
    // holds a password here (the config is not a secret store).
    std::string postgres;
    unsigned postgres_pool = 8;  // connections per process
    std::chrono::milliseconds postgres_timeout{2000};  // statement and connection-wait bound
    bool postgres_audit = true;  // audit events also go to the table audit_events

    [[nodiscard]] bool redis() const { return !redis_host.empty(); }
};

struct Policy {
    std::string source_file;
    unsigned threads = 0;               // 0 = number of cores
    std::vector<Listener> listeners;
    std::vector<Upstream> upstreams;
    std::vector<UserSource> user_sources;
    std::vector<Route> routes;          // first match wins
    Limits limits;
    DigestSettings digest;
    std::vector<BearerIssuer> issuers;
    BearerSettings bearer;
    SessionSettings sessions;
    MtlsSettings mtls;
    IssuerSettings self_issuer;
    IdentityHeaders identity_headers;
    AttemptLimits brute_force;          // routes may override
    std::vector<Cidr> trusted_proxies = {  // default: loopback only
        Cidr{{127, 0, 0, 0}, 8},
        Cidr{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128}};
    std::string cookie_prefix = "gatekeeper";   // gatekeeper's own cookies (removed before upstream)
    HstsSettings hsts;
    // hsts as a field value, formatted once at load (gate::hsts_value); "" = off.
    // The default equals hsts_value(HstsSettings{}) (a unit test holds them together).
    std::string hsts_header = "max-age=31536000; includeSubDomains";
    bool access_log = true;
    std::string audit_log;               // JSON lines of sign-ins, failures, lock-outs; "" = off
    std::string state_dir;               // for sqlite etc., relative paths resolved from the config file
    acme::Settings acme;                 // automatic certificates (acme: section); enabled = false without it
    SharedState state;                   // state: shared with other instances (Redis); empty = this process only

    [[nodiscard]] const Upstream* upstream(std::string_view name) const;
    [[nodiscard]] const UserSource* user_source(std::string_view name) const;
    [[nodiscard]] const BearerIssuer* issuer(std::string_view name) const;
    [[nodiscard]] const AttemptLimits& brute_force_for(const Route& route) const {
        return route.brute_force ? *route.brute_force : brute_force;
    }
};

}  // namespace gk::gate
