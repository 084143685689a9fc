#include "server/issuer_service.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/password/hash.hpp"
#include "server/jwks_keys.hpp"
#include "store/pg_issuer_store.hpp"
#include "store/sqlite_issuer_store.hpp"

namespace gk::server {
namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The verification keys of gatekeeper's own tokens, straight from the ring.
class SelfKeySource final : public gate::KeySource {
public:
    explicit SelfKeySource(const IssuerService& svc) : svc_(svc) {}
    [[nodiscard]] std::shared_ptr<const jose::JwkSet> keys() const override {
        auto ring = svc_.ring();
        if (!ring) return nullptr;
        // Aliasing: the set lives as long as the ring that holds it.
        return std::shared_ptr<const jose::JwkSet>(ring, &ring->verification_keys());
    }
    void on_unknown_kid(std::string_view) override {}  // the ring reloads on its own schedule
    [[nodiscard]] std::string problem() const override { return svc_.ring() ? "" : "no usable signing key"; }

private:
    const IssuerService& svc_;
};

}  // namespace

bool needs_issuer_service(const gate::Policy& policy) {
    if (policy.self_issuer.enabled) return true;
    return std::any_of(policy.routes.begin(), policy.routes.end(), [](const gate::Route& r) {
        return std::any_of(r.schemes.begin(), r.schemes.end(), [](gate::SchemeKind k) {
            return k == gate::SchemeKind::session || k == gate::SchemeKind::apikey;
        });
    });
}

// The shared PostgreSQL database when state.postgres names one, else the
// SQLite file. Returns how to name it in errors (never the connection string,
// which may name a passfile or user the log need not carry).
std::string IssuerService::open_store(IssuerService& svc, const gate::Policy& policy) {
    const auto& cfg = policy.self_issuer;
    if (!policy.state.postgres.empty()) {
        auto opened = store::PgIssuerStore::open(policy.state.postgres, store::pg_options(policy.state));
        if (!opened) throw std::runtime_error("postgres (state.postgres): " + opened.error());
        svc.store_ = std::move(opened.value());
        svc.shared_store_ = true;
        return "postgres";
    }
    // The state folder of a fresh install: made here, private to gatekeeper.
    if (const auto dir = std::filesystem::path(cfg.database).parent_path(); !dir.empty()) {
        std::error_code ec;
        if (std::filesystem::create_directories(dir, ec))
            std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
        if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    }
    auto opened = store::SqliteIssuerStore::open(cfg.database);
    if (!opened) throw std::runtime_error("database " + cfg.database + ": " + opened.error());
    svc.store_ = std::move(opened.value());
    return "database " + cfg.database;
}

std::shared_ptr<IssuerService> IssuerService::start(const gate::Policy& policy,
                                                    std::shared_ptr<spdlog::logger> log) {
    std::shared_ptr<IssuerService> svc(new IssuerService());
    svc->log_ = std::move(log);
    const auto& cfg = policy.self_issuer;
    const std::string where = open_store(*svc, policy);
    svc->csrf_key_ = crypto::random_bytes(32);
    svc->verified_secrets_ =
        std::make_unique<gate::CredentialCache>(crypto::random_bytes(32), 1000, std::chrono::seconds(60));
    svc->idle_timeout_ = policy.sessions.idle_timeout;
    svc->oauth_ = cfg.enabled;
    svc->settings_.issuer = cfg.url;
    svc->settings_.audiences = cfg.audiences;
    svc->settings_.access_token_ttl = cfg.access_token_ttl;
    svc->settings_.refresh_token_ttl = cfg.refresh_token_ttl;
    svc->settings_.code_ttl = cfg.code_ttl;
    svc->settings_.algorithm = cfg.algorithm;
    const auto now = unix_now();
    if (auto jtis = svc->store_->revoked_jtis(now))
        svc->revoked_.replace(*jtis);
    else
        throw std::runtime_error(where + ": " + jtis.error().message);
    if (svc->oauth_) {
        auto keys = svc->store_->signing_keys();
        if (!keys) throw std::runtime_error(where + ": " + keys.error().message);
        if (keys->empty()) {
            // A first key needs no rotation plan: nothing to overlap or retire.
            // Added only while there is none, so instances starting together
            // on an empty shared database agree on one first key.
            auto plan = issuer::plan_rotation({}, cfg.algorithm, now, cfg.key_overlap.count());
            if (!plan) throw std::runtime_error("first signing key: " + plan.error().message);
            auto added = svc->store_->add_first_signing_key(plan->new_key);
            if (!added) throw std::runtime_error(where + ": " + added.error().message);
            if (*added)
                LogEvent("signing_key_created").str("kid", plan->new_key.kid).write(*svc->log_, spdlog::level::info);
        }
        svc->reload_ring(now);
        if (!svc->ring())
            throw std::runtime_error("signing keys in " + where + ": " + svc->ring_problem_);
        svc->key_source_ = std::make_shared<SelfKeySource>(*svc);
    }
    return svc;
}

bool IssuerService::check_client_secret(std::string_view client_id, std::string_view stored_hash,
                                        std::string_view secret) {
    const auto key = verified_secrets_->key_for(client_id, secret, stored_hash);
    {
        std::lock_guard lock(secrets_mu_);
        if (verified_secrets_->contains(key, std::chrono::steady_clock::now())) return true;
    }
    auto r = password::verify(stored_hash, secret);
    const bool ok = r.ok() && r.value();
    if (ok) {
        std::lock_guard lock(secrets_mu_);
        verified_secrets_->remember(key, std::chrono::steady_clock::now());
    }
    return ok;
}

std::shared_ptr<const issuer::KeyRing> IssuerService::ring() const {
    std::lock_guard lock(ring_mu_);
    return ring_;
}

void IssuerService::reload_ring(std::int64_t now) {
    auto keys = store_->signing_keys();
    std::string problem;
    std::shared_ptr<const issuer::KeyRing> next;
    if (!keys)
        problem = keys.error().message;
    else if (auto ring = issuer::KeyRing::build(*keys, now))
        next = std::make_shared<const issuer::KeyRing>(std::move(*ring));
    else
        problem = ring.error().message;
    std::lock_guard lock(ring_mu_);
    // Unchanged keys keep the same ring object: verified-token caches count
    // a hit only while the set that verified it is the current one.
    if (next && ring_ && next->signer_kid() == ring_->signer_kid() &&
        next->jwks_json() == ring_->jwks_json()) {
        ring_problem_.clear();
        return;
    }
    if (next) {
        if (!ring_ || ring_->signer_kid() != next->signer_kid())
            LogEvent("signing_key_active").str("kid", next->signer_kid()).write(*log_, spdlog::level::info);
        ring_ = std::move(next);
        ring_problem_.clear();
    } else if (problem != ring_problem_) {
        // Keep signing with the last good ring: a transient store error must
        // not take the issuer down, and the log says what is wrong.
        ring_problem_ = problem;
        LogEvent("signing_keys_problem").str("why", problem).write(*log_, spdlog::level::err);
    }
}

void IssuerService::revoke_now(std::string_view jti, std::int64_t exp) {
    revoked_.revoke(jti, exp);
    if (announce_) announce_(jti, exp);
}

void IssuerService::revoked_elsewhere(std::string_view message) {
    const auto space = message.rfind(' ');
    if (space == std::string_view::npos || space == 0) return;
    std::int64_t exp = 0;
    const auto digits = message.substr(space + 1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), exp);
    if (ec != std::errc() || p != digits.data() + digits.size() || exp <= 0) return;
    revoked_.revoke(message.substr(0, space), exp);
}

void IssuerService::reload_revocations() {
    const auto now = unix_now();
    auto jtis = store_->revoked_jtis(now);
    store_answered_.store(jtis.ok(), std::memory_order_relaxed);
    if (jtis) {
        for (const auto& [jti, exp] : *jtis) revoked_.revoke(jti, exp);
        revoked_.purge(now);
    }
}

void IssuerService::tick() {
    ++ticks_;
    const auto now = unix_now();
    if (oauth_ && ticks_ % 5 == 0) reload_ring(now);
    // Revocations made by another process (the CLI, another instance); with a
    // shared database every second, the bound when an announcement is missed.
    if (shared_store_ || ticks_ % 5 == 0) reload_revocations();
    if (ticks_ % 600 == 0) (void)store_->purge_expired_sessions(now, idle_timeout_.count());
}

}  // namespace gk::server
