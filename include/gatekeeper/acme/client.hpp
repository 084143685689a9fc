#pragma once
// An ACME client (RFC 8555) over an injected transport: directory, nonces,
// account, order, HTTP-01 or TLS-ALPN-01 authorizations, finalize with a CSR, polling with
// Retry-After, certificate download; a badNonce is retried with the fresh
// nonce the error carries. The transport and the waits are the caller's, so
// tests feed it recorded replies and never sleep; the server gives it its
// HTTPS client and a wait that a shutdown interrupts.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gatekeeper/acme/messages.hpp"
#include "gatekeeper/acme/settings.hpp"
#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::acme {

struct HttpCall {
    std::string method;  // "GET", "HEAD" or "POST" (application/jose+json)
    std::string url;
    std::string body;
    std::string accept;  // empty: the transport's default
};
struct HttpReply {
    unsigned status = 0;
    std::string location;
    std::string replay_nonce;
    std::string retry_after;
    std::string body;
};
// A transport failure is a short reason (no body, no nonce).
using Transport = std::function<Result<HttpReply, std::string>(const HttpCall&)>;
// Waits `delay`; false when the caller is shutting down (the client gives up).
using Wait = std::function<bool(std::chrono::seconds delay)>;

// One challenge answered while its authorization is pending: for http-01 the
// key authorization at /.well-known/acme-challenge/<token>, for tls-alpn-01 a
// validation certificate for `identifier` (tls_alpn.hpp) behind acme-tls/1.
struct PendingChallenge {
    std::string identifier;  // the dns name being authorized
    std::string token;
    std::string key_authorization;
};

// Where the server shows its answers. `put` may fail (a validation
// certificate that cannot be made): the authorization then fails with it,
// before the CA is told to look.
struct ChallengeBoard {
    ChallengeType type = ChallengeType::http01;
    std::function<Result<Ok, AcmeError>(const PendingChallenge&)> put;
    std::function<void(const PendingChallenge&)> remove;
};

struct ClientOptions {
    std::string directory_url;
    std::string email;  // empty: no contact
    int max_bad_nonce_retries = 3;
    int max_polls = 60;                                  // per resource
    std::chrono::seconds default_poll{1};                // when the CA sends no Retry-After
    std::chrono::seconds max_poll{30};                   // a larger Retry-After is capped
};

class Client {
public:
    Client(Transport transport, Wait wait, crypto::Key account_key, ClientOptions options);

    // Finds or creates the account (newAccount with termsOfServiceAgreed; an
    // existing key gets its account back). Done by obtain() when needed.
    Result<Ok, AcmeError> ensure_account();

    // A new certificate for `hosts`, for the key `cert_key` (which the caller
    // generated and will store): the PEM chain as the CA sent it.
    Result<std::string, AcmeError> obtain(const std::vector<std::string>& hosts, const crypto::Key& cert_key,
                                          const ChallengeBoard& board);

    [[nodiscard]] const std::string& account_url() const noexcept { return account_url_; }

private:
    Result<Ok, AcmeError> load_directory();
    Result<Ok, AcmeError> fresh_nonce();
    // POST with the JWS (kid once the account is known); retries badNonce.
    Result<HttpReply, AcmeError> post(const std::string& url, const std::string& payload, const std::string& accept = {});
    Result<Ok, AcmeError> authorize(const std::string& authz_url, const ChallengeBoard& board);
    Result<Order, AcmeError> poll_order(const std::string& order_url, Order order);
    bool wait_after(const HttpReply& reply);

    Transport transport_;
    Wait wait_;
    crypto::Key key_;
    ClientOptions options_;
    std::optional<Directory> directory_;
    std::string nonce_;
    std::string account_url_;
};

}  // namespace gk::acme
