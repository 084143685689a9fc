#pragma once
// OCSP stapling. A certificate context made with enable_ocsp_stapling() gets
// a staple slot; OcspStapler's thread fills it from the responder named in
// the certificate (AIA, http only), after checking the response (signed by
// the issuer or a responder it delegated to, status good, thisUpdate and
// nextUpdate current), and refreshes it at half its validity. The status
// callback staples only a response that is still current: nothing rather
// than a stale or unchecked one.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "server/tls_cert_set.hpp"

namespace gk::server {

// Gives `ctx` a staple slot and the status callback. Throws std::runtime_error.
void enable_ocsp_stapling(SSL_CTX* ctx);

struct CheckedOcsp {
    std::chrono::system_clock::time_point this_update;
    std::chrono::system_clock::time_point good_until;  // nextUpdate, or thisUpdate + 1 h without one
};

// Checks a DER OCSPResponse for `leaf` issued by `issuer` at `now`; a reason otherwise.
Result<CheckedOcsp, std::string> check_ocsp_response(const std::string& der, X509* leaf, X509* issuer,
                                                     std::chrono::system_clock::time_point now);

class OcspStapler {
public:
    // Watches the loaded certificates of `sets` (which must outlive it); starts a thread.
    explicit OcspStapler(std::vector<const CertSet*> sets);
    ~OcspStapler();
    OcspStapler(const OcspStapler&) = delete;
    OcspStapler& operator=(const OcspStapler&) = delete;

private:
    void run();
    void visit(const LoadedCert& cert);

    std::vector<const CertSet*> sets_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace gk::server
