// A JWKS fetched over HTTPS (jwks_url, or OIDC discovery's jwks_uri). All
// fetches run on KeySources' own io_context; workers only read the last good
// set (a mutex-guarded shared_ptr copy) and may ask for a refetch, which this
// class rate-limits: at most one fetch per min_refresh_interval.
//
// Schedule after a fetch: success -> max-age from Cache-Control clamped to
// [min_refresh_interval, 24 h], else `refresh`; failure -> back-off starting
// at min_refresh_interval, doubling up to `refresh`. The last good keys stay
// in use through any number of failures.
#include <algorithm>
#include <exception>
#include <stdexcept>

#include <boost/asio/post.hpp>

#include "server/jwks_keys.hpp"
#include "server/jwks_sources.hpp"
#include "server/tls_context.hpp"

namespace gk::server {
namespace {

using clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kMaxAgeCap{24 * 3600};

std::string strip_trailing_slash(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

const char* kind_name(gate::JwksSource::Kind k) {
    switch (k) {
        case gate::JwksSource::Kind::url:
            return "url";
        case gate::JwksSource::Kind::discovery:
            return "discovery";
        case gate::JwksSource::Kind::file:
            return "file";
        case gate::JwksSource::Kind::self:
            return "self";
    }
    return "?";
}

}  // namespace

struct RemoteKeySource::Outcome {
    std::shared_ptr<const jose::JwkSet> keys;  // null: failed, or unchanged
    bool ok = false;
    bool unchanged = false;
    std::size_t skipped = 0;
    std::size_t refused_private = 0;
    std::optional<std::chrono::seconds> max_age;
    std::string error;
};

RemoteKeySource::RemoteKeySource(const gate::BearerIssuer& issuer, asio::io_context& ioc,
                                 std::shared_ptr<spdlog::logger> log)
    : name_(issuer.name), issuer_(issuer.issuer), cfg_(issuer.jwks), ioc_(ioc), log_(std::move(log)) {
    gate::Upstream tls_settings;  // the same client defaults as upstream TLS
    tls_settings.ca_file = cfg_.ca_file;
    try {
        tls_ = make_upstream_tls(tls_settings);
    } catch (const std::exception& e) {
        throw std::runtime_error(issuer_label(issuer) + ": " + e.what());
    }
    const std::string url = cfg_.kind == gate::JwksSource::Kind::discovery
                                ? strip_trailing_slash(cfg_.location) + "/.well-known/openid-configuration"
                                : cfg_.location;
    if (auto u = parse_https_url(url); !u)
        throw std::runtime_error(issuer_label(issuer) + ": key URL " + url + ": " + u.error());
}

std::shared_ptr<const jose::JwkSet> RemoteKeySource::keys() const {
    std::lock_guard lock(mu_);
    return keys_;
}

std::string RemoteKeySource::problem() const {
    std::lock_guard lock(mu_);
    return problem_;
}

void RemoteKeySource::start() {
    std::lock_guard lock(mu_);
    begin_fetch_locked(clock::now(), "start");
}

void RemoteKeySource::on_unknown_kid(std::string_view) {
    std::lock_guard lock(mu_);
    if (detached_ || in_flight_ || failures_ > 0 || !first_done_) return;
    const auto now = clock::now();
    const auto earliest = last_start_ + cfg_.min_refresh_interval;
    if (now >= earliest) {
        begin_fetch_locked(now, "unknown_kid");
    } else {
        next_due_ = std::min(next_due_, earliest);
        kid_refetch_due_ = true;
    }
}

void RemoteKeySource::tick(clock::time_point now) {
    std::lock_guard lock(mu_);
    if (!detached_ && !in_flight_ && now >= next_due_)
        begin_fetch_locked(now, kid_refetch_due_ ? "unknown_kid" : "refresh");
}

bool RemoteKeySource::wait_first_attempt(clock::time_point until) {
    std::unique_lock lock(mu_);
    return first_cv_.wait_until(lock, until, [this] { return first_done_; });
}

void RemoteKeySource::detach() {
    std::lock_guard lock(mu_);
    detached_ = true;
}

void RemoteKeySource::begin_fetch_locked(clock::time_point now, const char* reason) {
    if (detached_) return;
    in_flight_ = true;
    kid_refetch_due_ = false;
    last_start_ = now;
    next_due_ = clock::time_point::max();
    // Spawned from the fetch thread itself, never from the caller's (a worker
    // or the control thread): the coroutine frame is only touched there.
    asio::post(ioc_, [self = shared_from_this(), reason] {
        asio::co_spawn(self->ioc_, run_fetch(self, reason), asio::detached);
    });
}

asio::awaitable<Result<RemoteKeySource::Fetched, std::string>> RemoteKeySource::fetch_jwks(
    clock::time_point deadline) {
    HttpsGetOptions opt;
    opt.deadline = deadline;
    opt.verify_tls = cfg_.verify_tls;
    opt.max_body = kMaxJwksBytes;
    std::string jwks_url = cfg_.location;
    if (cfg_.kind == gate::JwksSource::Kind::discovery) {
        auto url = parse_https_url(strip_trailing_slash(cfg_.location) + "/.well-known/openid-configuration");
        if (!url) co_return fail(url.error());
        auto r = co_await https_get(*url, *tls_, opt);
        if (!r) co_return fail("GET " + url->display + ": " + r.error());
        if (r->status != 200) co_return fail("GET " + url->display + ": HTTP " + std::to_string(r->status));
        auto uri = jwks_uri_from_discovery(r->body, issuer_);
        if (!uri) co_return fail(url->display + ": " + uri.error());
        jwks_url = std::move(*uri);
    }
    auto url = parse_https_url(jwks_url);
    if (!url) co_return fail("jwks_uri: " + url.error());
    opt.accept = "application/jwk-set+json, application/json";
    auto r = co_await https_get(*url, *tls_, opt);
    if (!r) co_return fail("GET " + url->display + ": " + r.error());
    if (r->status != 200) co_return fail("GET " + url->display + ": HTTP " + std::to_string(r->status));
    co_return Fetched{std::move(r->body), std::move(r->cache_control), url->display};
}

asio::awaitable<void> RemoteKeySource::run_fetch(std::shared_ptr<RemoteKeySource> self, const char* reason) {
    Outcome out;
    try {
        if (std::string_view(reason) == "unknown_kid")
            LogEvent("jwks_refetch")
                .str("issuer", self->name_)
                .str("reason", reason)
                .write(*self->log_, spdlog::level::info);
        auto got = co_await self->fetch_jwks(clock::now() + self->cfg_.fetch_timeout);
        if (!got) {
            out.error = got.error();
        } else if (got->body == self->last_body_) {
            out.ok = out.unchanged = true;
            out.max_age = cache_max_age(got->cache_control);
        } else if (auto loaded = keys_from_fetched_jwks(got->body); !loaded) {
            out.error = got->where + ": " + loaded.error();
        } else {
            out.ok = true;
            out.keys = std::move(loaded->set);
            out.skipped = loaded->skipped;
            out.refused_private = loaded->refused_private;
            out.max_age = cache_max_age(got->cache_control);
            self->last_body_ = std::move(got->body);
        }
    } catch (const std::exception& e) {
        out = Outcome{};
        out.error = std::string("internal error: ") + e.what();
    }
    self->finish(std::move(out));
}

void RemoteKeySource::finish(Outcome out) {
    const auto now = clock::now();
    const auto min = std::chrono::duration_cast<std::chrono::seconds>(cfg_.min_refresh_interval);
    const auto refresh = std::max(cfg_.refresh, min);
    std::chrono::seconds next{};
    std::size_t kept = 0;
    {
        std::lock_guard lock(mu_);
        if (out.ok) {
            failures_ = 0;
            problem_.clear();
            if (out.keys) keys_ = out.keys;
            next = out.max_age ? std::clamp(*out.max_age, min, std::max(min, kMaxAgeCap)) : refresh;
        } else {
            ++failures_;
            problem_ = out.error;
            next = min;
            for (int i = 1; i < failures_ && next < refresh; ++i) next *= 2;
            next = std::min(next, refresh);
            if (keys_) kept = keys_->keys().size();
        }
        in_flight_ = false;
        next_due_ = now + next;
    }
    // Logged before start() is released: its outcome is in the log by then.
    log_outcome(out, next, kept);
    {
        std::lock_guard lock(mu_);
        first_done_ = true;
    }
    first_cv_.notify_all();
}

void RemoteKeySource::log_outcome(const Outcome& out, std::chrono::seconds next, std::size_t kept) const {
    if (!out.ok) {
        LogEvent("jwks_fetch_failed")
            .str("issuer", name_)
            .str("source", kind_name(cfg_.kind))
            .str("why", out.error)
            .num("kept_keys", static_cast<long long>(kept))
            .num("retry_in_s", next.count())
            .write(*log_, kept ? spdlog::level::warn : spdlog::level::err);
        return;
    }
    if (out.unchanged) {
        LogEvent("jwks_unchanged")
            .str("issuer", name_)
            .num("next_in_s", next.count())
            .write(*log_, spdlog::level::debug);
        return;
    }
    if (out.refused_private)
        LogEvent("jwks_private_keys_refused")
            .str("issuer", name_)
            .num("count", static_cast<long long>(out.refused_private))
            .write(*log_, spdlog::level::warn);
    LogEvent("jwks_loaded")
        .str("issuer", name_)
        .str("source", kind_name(cfg_.kind))
        .num("keys", static_cast<long long>(out.keys->keys().size()))
        .num("skipped", static_cast<long long>(out.skipped))
        .num("next_in_s", next.count())
        .write(*log_, spdlog::level::info);
}

}  // namespace gk::server
