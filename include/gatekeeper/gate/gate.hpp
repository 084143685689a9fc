#pragma once
// The 401/403 decision. Pure and synchronous: when a password must be checked
// (slow, CPU-bound) evaluate() says so and the caller runs the check wherever
// it likes (a worker pool), then calls finish_password_check().
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/secret.hpp"
#include "gatekeeper/gate/attempts.hpp"
#include "gatekeeper/gate/credential_store.hpp"
#include "gatekeeper/gate/decision.hpp"
#include "gatekeeper/gate/key_source.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "gatekeeper/gate/request.hpp"
#include "gatekeeper/gate/revocation_list.hpp"
#include "gatekeeper/gate/token_cache.hpp"

namespace gk::gate {

// The verification keys of each trusted issuer, by issuer name.
using KeySources = std::map<std::string, std::shared_ptr<KeySource>, std::less<>>;

// What the schemes need beyond the policy and the request: Digest's nonce
// issuer and replay memory, Bearer's key sources, verified-token cache and
// revoked jtis, the store of sessions and API keys, and the time. Owned by
// the caller. Null nonce pointers mean Digest cannot run: it is then neither
// offered nor accepted; null key sources mean every Bearer token gets 503, a
// null credential store every session and API key (fail closed). A null
// token cache means no caching; a null revocation list, no revocations.
struct SchemeContext {
    const schemes::DigestNonces* digest_nonces = nullptr;
    schemes::NonceCountStore* digest_counts = nullptr;
    const KeySources* key_sources = nullptr;
    TokenCache* token_cache = nullptr;
    std::chrono::system_clock::time_point now{};
    const RevocationList* revoked_tokens = nullptr;
    const CredentialStore* credentials = nullptr;
    // Brute-force counters; null: no limits (tests of other things).
    AttemptStore* attempts = nullptr;
};

// The user sources of a policy, by name. Owned by the caller, outlives evaluate().
using Directories = std::map<std::string, std::shared_ptr<UserDirectory>, std::less<>>;

// A password verification the caller must run before the decision is known.
struct PasswordCheck {
    std::string user;                 // as presented
    Secret password;
    std::string stored_hash;          // the user's hash, or password::dummy_hash() for an unknown user
    std::optional<UserRecord> record; // nullopt: unknown user (verification still runs, for timing)
    std::string scheme = "basic";
    std::string client_address;       // for the brute-force counters
    // Set when the failure counters could not be read (a shared store is
    // down). The password must then not be hashed: that would be a guess
    // nobody counts. Only a credential the caller's verified-credential cache
    // already vouches for may pass (finish_password_check with verified =
    // true, meaning "from the cache"); anything else gets this decision (503).
    std::optional<Decision> unless_cached;
};

struct Evaluation {
    const Route* route = nullptr;
    std::optional<Decision> decision;      // final, or...
    std::optional<PasswordCheck> check;    // ...a check to run, then finish_password_check()
};

// First route that matches host, path and method; nullptr if none.
const Route* match_route(const Policy& policy, const Request& req);

// True when the decision needs the request body in Request::body (Digest
// qop=auth-int on a route that accepts it): the server reads it first, up to
// policy.digest.auth_int_max_body.
bool needs_request_body(const Policy& policy, const Request& req);

// Decide as far as possible without slow work.
Evaluation evaluate(const Policy& policy, const Request& req, const Directories& dirs,
                    const SchemeContext& ctx = {});

// Complete a decision once the password check ran. `verified` is the result of
// password::verify(check.stored_hash, check.password) (false on any error).
Decision finish_password_check(const Route& route, const PasswordCheck& check, bool verified,
                               const Policy& policy, const SchemeContext& ctx = {});

// Authorization of a known identity against the route's requirement.
Decision authorize(const Route& route, Identity identity);

// The WWW-Authenticate challenges a route offers, strongest first.
// `stale`: Digest challenges say stale=true (a genuine but used-up nonce).
std::vector<httpauth::Challenge> challenges_for(const Route& route, const Policy& policy,
                                                const SchemeContext& ctx = {}, bool stale = false);

}  // namespace gk::gate
