#pragma once
// gatekeeper's own credentials at run time: the database of sessions, API
// keys, OAuth state and signing keys; the revoked-jti list every worker
// consults; and the signing-key ring, reloaded from the database so that
// `gatekeeper keys rotate` (another process) takes effect without a restart.
// Started once by the server when the policy needs it; shared by all threads.
#include <spdlog/logger.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "gatekeeper/gate/credential_cache.hpp"
#include "gatekeeper/gate/key_source.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/revocation_list.hpp"
#include "gatekeeper/issuer/oauth.hpp"
#include "gatekeeper/issuer/signing_keys.hpp"
#include "gatekeeper/issuer/store.hpp"

namespace gk::server {

// Whether the policy uses anything the issuer database holds.
bool needs_issuer_service(const gate::Policy& policy);

class IssuerService {
public:
    // Opens (creating and migrating) the database. With oauth enabled, makes
    // the first signing key when there is none. Throws std::runtime_error
    // naming the file on failure: a gate without its store must not start.
    static std::shared_ptr<IssuerService> start(const gate::Policy& policy,
                                                std::shared_ptr<spdlog::logger> log);

    [[nodiscard]] issuer::IssuerStore& store() { return *store_; }
    [[nodiscard]] const gate::CredentialStore& credentials() const { return *store_; }
    [[nodiscard]] gate::RevocationList& revoked() { return revoked_; }
    // A token revoked here (the revocation endpoint): refused by this process
    // at once and announced to the others (state.redis pub/sub), if any.
    void revoke_now(std::string_view jti, std::int64_t exp);
    // Set once by the server before requests run; called from any thread.
    void set_announcer(std::function<void(std::string_view jti, std::int64_t exp)> announce) {
        announce_ = std::move(announce);
    }
    // Another instance's announcement ("<jti> <exp>"): refused here too. Malformed ones are ignored.
    void revoked_elsewhere(std::string_view message);
    // Everything revoked in the database, merged in (at start, every few ticks, and after an
    // announcement channel was (re)joined, to catch up on what was missed).
    void reload_revocations();
    [[nodiscard]] const issuer::Settings& settings() const { return settings_; }
    [[nodiscard]] bool oauth_enabled() const { return oauth_; }
    // True when the database is on another server (PostgreSQL, shared by
    // several instances): lookups then run off the event loops.
    [[nodiscard]] bool shared_store() const { return shared_store_; }
    // Whether the last read of the store (the revocation reload, every second
    // with a shared database) succeeded: readyz follows it without a query of its own.
    [[nodiscard]] bool store_answered() const { return store_answered_.load(std::memory_order_relaxed); }
    // The current ring; null when oauth is off or no ring could be built (the
    // token endpoint then answers 503).
    [[nodiscard]] std::shared_ptr<const issuer::KeyRing> ring() const;
    // The verification keys of gatekeeper's own issuer, for the Bearer check.
    [[nodiscard]] std::shared_ptr<gate::KeySource> key_source() const { return key_source_; }
    // A client secret against its hash, remembering successes for a minute
    // (keyed by an HMAC, never the secret; failures always pay the full hash).
    [[nodiscard]] bool check_client_secret(std::string_view client_id, std::string_view stored_hash,
                                           std::string_view secret);
    // A per-process secret for the login form's CSRF tokens.
    [[nodiscard]] const std::string& csrf_key() const { return csrf_key_; }

    // About once a second from the control thread: the ring is rebuilt every
    // few seconds (new keys from `keys rotate`, keys whose signs_from came),
    // revocations reloaded, expired sessions purged now and then.
    void tick();

private:
    IssuerService() = default;
    static std::string open_store(IssuerService& svc, const gate::Policy& policy);
    void reload_ring(std::int64_t now);

    std::unique_ptr<issuer::IssuerStore> store_;
    gate::RevocationList revoked_;
    issuer::Settings settings_;
    bool oauth_ = false;
    bool shared_store_ = false;
    std::atomic<bool> store_answered_{true};
    std::function<void(std::string_view, std::int64_t)> announce_;
    std::chrono::seconds idle_timeout_{0};
    mutable std::mutex ring_mu_;
    std::shared_ptr<const issuer::KeyRing> ring_;
    std::string ring_problem_;
    std::shared_ptr<gate::KeySource> key_source_;
    std::string csrf_key_;
    std::mutex secrets_mu_;
    std::unique_ptr<gate::CredentialCache> verified_secrets_;
    std::shared_ptr<spdlog::logger> log_;
    unsigned ticks_ = 0;
};

}  // namespace gk::server
