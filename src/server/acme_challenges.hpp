#pragma once
// HTTP-01 answers (RFC 8555 section 8.3): token -> key authorization, put by
// the ACME service while an authorization is pending and read by every
// worker. The session answers GET /.well-known/acme-challenge/<token> from it
// before routing and before any authentication, on plain listeners; an
// unknown token is a 404, never a route.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/gate/transport.hpp"
#include "server/access_log.hpp"
#include "server/decision_response.hpp"

namespace gk::server {

class AcmeChallenges {
public:
    void put(const std::string& token, const std::string& key_authorization);
    void remove(const std::string& token);
    [[nodiscard]] std::optional<std::string> find(std::string_view token) const;

private:
    mutable std::mutex mu_;
    std::map<std::string, std::string, std::less<>> answers_;
};

// The answer to a request whose path starts with gate::kAcmeChallengePrefix:
// 200 text/plain with the key authorization for a known token (GET, HEAD),
// 404 otherwise (405 for other methods). Fills the log's route.
string_response acme_challenge_response(const AcmeChallenges& challenges, std::string_view method,
                                        std::string_view path, unsigned version, AccessRecord& log);

}  // namespace gk::server
