#include "server/key_sources.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "server/jwks_keys.hpp"
#include "server/jwks_sources.hpp"
#include "server/net.hpp"

namespace gk::server {

struct KeySources::Impl {
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
    std::thread thread;
    gate::KeySources by_issuer;
    std::vector<std::shared_ptr<FileKeySource>> files;
    std::vector<std::shared_ptr<RemoteKeySource>> remotes;
    std::shared_ptr<spdlog::logger> log;

    ~Impl() {
        for (auto& r : remotes) r->detach();
        work.reset();
        ioc.stop();
        if (thread.joinable()) thread.join();
        // In-flight fetches are dropped with the io_context (members go in
        // reverse order: the sources they hold outlive nothing they use).
    }
};

KeySources::KeySources(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeySources::~KeySources() = default;

std::shared_ptr<KeySources> KeySources::start(const gate::Policy& policy, std::shared_ptr<spdlog::logger> log,
                                              std::shared_ptr<gate::KeySource> self) {
    auto impl = std::make_unique<Impl>();
    impl->log = log;
    for (const auto& is : policy.issuers) {
        if (is.jwks.kind == gate::JwksSource::Kind::self) {
            if (!self) throw std::runtime_error("issuer '" + is.name + "': gatekeeper's own signing keys are not loaded");
            impl->by_issuer.emplace(is.name, self);
        } else if (is.jwks.kind == gate::JwksSource::Kind::file) {
            auto f = std::make_shared<FileKeySource>(is, log);
            impl->by_issuer.emplace(is.name, f);
            impl->files.push_back(std::move(f));
        } else {
            auto r = std::make_shared<RemoteKeySource>(is, impl->ioc, log);
            impl->by_issuer.emplace(is.name, r);
            impl->remotes.push_back(std::move(r));
        }
    }
    if (impl->remotes.empty()) return std::shared_ptr<KeySources>(new KeySources(std::move(impl)));

    impl->thread = std::thread([&ioc = impl->ioc] {
        for (;;) {
            try {
                ioc.run();
                return;
            } catch (...) {
                // A fetch never throws out of its coroutine; if something
                // else does, keep the thread serving the other fetches.
            }
        }
    });
    const auto started = std::chrono::steady_clock::now();
    for (auto& r : impl->remotes) r->start();
    for (auto& r : impl->remotes) {
        // Each first attempt ends by its own fetch_timeout; a little slack for the last step.
        const auto until = started + r->config().fetch_timeout + std::chrono::milliseconds(250);
        if (!r->wait_first_attempt(until)) {
            const auto name = std::find_if(impl->by_issuer.begin(), impl->by_issuer.end(),
                                           [&](const auto& kv) { return kv.second == r; });
            LogEvent("jwks_pending")
                .str("issuer", name != impl->by_issuer.end() ? name->first : "")
                .str("why",
                     "the first fetch is still running; the issuer's routes answer 503 until keys arrive")
                .write(*log, spdlog::level::warn);
        }
    }
    return std::shared_ptr<KeySources>(new KeySources(std::move(impl)));
}

const gate::KeySources& KeySources::by_issuer() const { return impl_->by_issuer; }

void KeySources::tick() {
    for (auto& f : impl_->files) f->check();
    const auto now = std::chrono::steady_clock::now();
    for (auto& r : impl_->remotes) r->tick(now);
}

}  // namespace gk::server
