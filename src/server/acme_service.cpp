#include "server/acme_service.hpp"

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "gatekeeper/acme/client.hpp"
#include "gatekeeper/acme/tls_alpn.hpp"
#include "server/acme_files.hpp"
#include "server/acme_transport.hpp"
#include "server/jwks_keys.hpp"
#include "store/atomic_file.hpp"
#include "store/file_read.hpp"

namespace gk::server {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

crypto::Key load_or_make_account_key(const std::string& path, spdlog::logger& log) {
    std::error_code ec;
    if (fs::exists(path, ec)) {
        auto pem = store::read_file(path, 64 * 1024);
        if (!pem) throw std::runtime_error("acme account key: " + pem.error());
        auto key = crypto::Key::from_pem(pem->text);
        const Secret wipe(std::move(pem->text));
        if (!key || !key->has_private() || key->type() != crypto::KeyType::ec || key->curve() != crypto::Curve::p256)
            throw std::runtime_error("acme account key " + path + ": not a P-256 private key (move it away to make a new one)");
        return *key;
    }
    auto key = crypto::Key::generate_ec(crypto::Curve::p256);
    auto w = store::write_file_atomically(path, key.private_pem().reveal(), store::kPrivateFile);
    if (!w) throw std::runtime_error("acme account key: " + w.error());
    LogEvent("acme_account_key").str("file", path).str("what", "created").write(log, spdlog::level::info);
    return key;
}

}  // namespace

struct AcmeService::Impl {
    acme::Settings settings;
    std::string dir;  // <state_dir>/acme
    crypto::Key account_key;
    acme::Transport transport;
    std::shared_ptr<spdlog::logger> log;
    std::shared_ptr<AcmeChallenges> challenges;
    std::shared_ptr<AcmeAlpnCerts> alpn;  // tls-alpn-01 only

    struct Host {
        std::string name;
        std::string dir;
        int failures = 0;
        Clock::time_point next_check{};  // epoch: now
    };
    std::vector<Host> hosts;

    std::mutex mu;
    std::condition_variable wake;
    bool stopping = false;
    std::thread thread;

    // Sleeps up to `d`; false once stopping.
    bool wait_for(std::chrono::milliseconds d) {
        std::unique_lock lock(mu);
        wake.wait_for(lock, d, [&] { return stopping; });
        return !stopping;
    }

    // When this host's pair needs replacing (now for a placeholder or a broken pair).
    Clock::time_point renewal_time(const Host& h) const {
        auto facts = inspect_pair(h.dir);
        if (!facts || facts->self_signed) return Clock::time_point{};
        const auto life = facts->not_after - facts->not_before;
        return facts->not_before +
               std::chrono::duration_cast<Clock::duration>(life * settings.renew_at);
    }

    // Where the answers go while an authorization is pending: the HTTP-01 table
    // the plain listeners read, or a validation certificate the HTTPS listeners show.
    acme::ChallengeBoard challenge_board() {
        if (settings.challenge == acme::ChallengeType::tls_alpn01)
            return {acme::ChallengeType::tls_alpn01,
                    [this](const acme::PendingChallenge& p) -> Result<Ok, acme::AcmeError> {
                        auto cert = acme::make_tls_alpn_certificate(p.identifier, p.key_authorization, Clock::now());
                        if (!cert) return fail(cert.error());
                        if (auto put = alpn->put(p.identifier, *cert); !put)
                            return fail(acme::AcmeError{"protocol", "tls-alpn-01 for " + p.identifier + ": " + put.error(), 0, {}});
                        return Ok{};
                    },
                    [this](const acme::PendingChallenge& p) { alpn->remove(p.identifier); }};
        return {acme::ChallengeType::http01,
                [this](const acme::PendingChallenge& p) -> Result<Ok, acme::AcmeError> {
                    challenges->put(p.token, p.key_authorization);
                    return Ok{};
                },
                [this](const acme::PendingChallenge& p) { challenges->remove(p.token); }};
    }

    void obtain(Host& h) {
        acme::ClientOptions options;
        options.directory_url = settings.directory;
        options.email = settings.email;
        // A fresh client per attempt: directory and account are looked up
        // again, so a CA that forgot us (a restarted test CA) is no obstacle.
        acme::Client client(transport, [this](std::chrono::seconds s) { return wait_for(s); }, account_key, options);
        const acme::ChallengeBoard board = challenge_board();
        const auto cert_key = crypto::Key::generate_ec(crypto::Curve::p256);  // a new key per certificate
        const auto started = Clock::now();
        auto chain = client.obtain({h.name}, cert_key, board);
        std::string why;
        if (chain) {
            const auto facts = inspect_chain(*chain);
            if (!facts) {
                why = "the CA's certificate chain does not parse";
            } else {
                try {
                    install_pair(h.dir, std::string(cert_key.private_pem().reveal()), *chain);
                } catch (const std::exception& e) {
                    why = e.what();
                }
                if (why.empty() && !inspect_pair(h.dir)) why = "the installed pair does not read back";
                if (why.empty()) {
                    h.failures = 0;
                    h.next_check = renewal_time(h);
                    LogEvent("acme_certificate")
                        .str("host", h.name)
                        .str("serial", facts->serial)
                        .num("valid_for_s", std::chrono::duration_cast<std::chrono::seconds>(facts->not_after - Clock::now()).count())
                        .num("renew_in_s", std::chrono::duration_cast<std::chrono::seconds>(h.next_check - Clock::now()).count())
                        .num("took_ms", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count())
                        .write(*log, spdlog::level::info);
                    return;
                }
            }
        } else {
            if (chain.error().type == "stopped") return;
            why = chain.error().message();
        }
        ++h.failures;
        auto delay = settings.retry_min;
        for (int i = 1; i < h.failures && delay < settings.retry_max; ++i) delay *= 2;
        delay = std::min(delay, settings.retry_max);
        h.next_check = Clock::now() + delay;
        LogEvent("acme_failed")
            .str("host", h.name)
            .str("why", why)
            .num("failures", h.failures)
            .num("retry_in_ms", delay.count())
            .str("serving", inspect_pair(h.dir) && !inspect_pair(h.dir)->self_signed ? "the previous certificate"
                                                                                      : "the placeholder")
            .write(*log, spdlog::level::warn);
    }

    void run() {
        for (;;) {
            Clock::time_point next = Clock::time_point::max();
            for (auto& h : hosts) {
                {
                    std::lock_guard lock(mu);
                    if (stopping) return;
                }
                if (Clock::now() >= h.next_check) {
                    const auto due = renewal_time(h);
                    if (Clock::now() >= due) obtain(h);
                    else h.next_check = due;
                }
                next = std::min(next, h.next_check);
            }
            // Re-checked at least once a minute: a pair replaced by hand is noticed.
            auto sleep = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
            sleep = std::clamp(sleep, std::chrono::milliseconds(100), std::chrono::milliseconds(60000));
            if (!wait_for(sleep)) return;
        }
    }
};

AcmeService::AcmeService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AcmeService::~AcmeService() {
    {
        std::lock_guard lock(impl_->mu);
        impl_->stopping = true;
    }
    impl_->wake.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::unique_ptr<AcmeService> AcmeService::start(const gate::Policy& policy, std::shared_ptr<spdlog::logger> log,
                                                std::shared_ptr<AcmeChallenges> challenges,
                                                std::shared_ptr<AcmeAlpnCerts> alpn) {
    auto impl = std::make_unique<Impl>();
    impl->settings = policy.acme;
    impl->dir = acme::acme_dir(policy.state_dir);
    impl->log = std::move(log);
    impl->challenges = std::move(challenges);
    impl->alpn = std::move(alpn);
    if (impl->settings.challenge == acme::ChallengeType::tls_alpn01 && !impl->alpn)
        throw std::runtime_error("acme: tls-alpn-01 without a place for its certificates");
    std::error_code ec;
    fs::create_directories(impl->dir, ec);
    if (ec) throw std::runtime_error("acme: cannot create " + impl->dir + ": " + ec.message());
    fs::permissions(impl->dir, fs::perms::owner_all, ec);
    impl->account_key = load_or_make_account_key(impl->dir + "/account.key", *impl->log);
    impl->transport = make_acme_transport(policy.acme.ca_file);
    for (const auto& m : acme::managed_certificates(policy.acme, policy.state_dir)) {
        Impl::Host h;
        h.name = m.host;
        h.dir = fs::path(m.cert_file).parent_path().string();
        const std::string what = recover_pair(h.dir);
        if (what != "ok")
            LogEvent("acme_files").str("host", h.name).str("what", what).write(*impl->log, spdlog::level::info);
        impl->hosts.push_back(std::move(h));
    }
    impl->thread = std::thread([p = impl.get()] {
        try {
            p->run();
        } catch (const std::exception& e) {
            // Certificates are a background duty: the gateway keeps serving what it has.
            LogEvent("acme_stopped").str("why", e.what()).write(*p->log, spdlog::level::err);
        }
    });
    return std::unique_ptr<AcmeService>(new AcmeService(std::move(impl)));
}

}  // namespace gk::server
