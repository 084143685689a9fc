#pragma once
// Automatic certificates (RFC 8555): for each `acme.hosts` name, a
// certificate from the configured ACME CA in <state_dir>/acme/<host>/, kept
// fresh on the service's own thread (never a request worker).
//
//  - start(): synchronous part, before the listeners load their certificates:
//    the account key is loaded or made (0600), an interrupted install is
//    completed, and a host without a usable pair gets a self-signed
//    placeholder so a TLS listener can start.
//  - then, on its thread: a host whose pair is the placeholder, or has lived
//    `renew_at` of its lifetime, gets a new key and certificate (HTTP-01
//    through `challenges`, or TLS-ALPN-01 through `alpn`); a failure is logged and retried with doubling
//    back-off from retry.min to retry.max, and the old files stay untouched.
//
// The TLS side reads the files: acme::managed_certificates() lists them.
#include <memory>

#include <spdlog/logger.h>

#include "gatekeeper/gate/policy.hpp"
#include "server/acme_alpn.hpp"
#include "server/acme_challenges.hpp"

namespace gk::server {

class AcmeService {
public:
    // Throws std::runtime_error when the state folder or the account key
    // cannot be written or read, or ca_file cannot be loaded.
    // `challenges` takes HTTP-01 answers, `alpn` TLS-ALPN-01 certificates
    // (needed when policy.acme.challenge is tls-alpn-01, else may be null).
    static std::unique_ptr<AcmeService> start(const gate::Policy& policy, std::shared_ptr<spdlog::logger> log,
                                              std::shared_ptr<AcmeChallenges> challenges,
                                              std::shared_ptr<AcmeAlpnCerts> alpn);
    ~AcmeService();  // interrupts any wait and joins the thread
    AcmeService(const AcmeService&) = delete;
    AcmeService& operator=(const AcmeService&) = delete;

    struct Impl;

private:
    explicit AcmeService(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gk::server
