#pragma once
// The verification keys of every trusted Bearer issuer, as gate::KeySource
// ports: a local file (JWKS or PEM) re-read when it changes, or a JWKS fetched
// over HTTPS (jwks_url or OIDC discovery) and refreshed on its own thread with
// its own io_context, never on a request worker.
#include <map>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/policy.hpp"

namespace gk::server {

class KeySources {
public:
    // One source per issuer of the policy. Key files load now: a missing or
    // unusable one throws std::runtime_error "issuer 'x' (config line N):
    // jwks_file PATH: reason" (a bad ca_file or key URL likewise). Remote
    // sources start fetching and start() waits for each first attempt (each
    // bounded by its fetch_timeout), so the first requests have keys when the
    // issuer is up; when it is not, start() returns anyway, its routes answer
    // 503 until keys arrive, and the log says why.
    // `self`: the keys of gatekeeper's own issuer (oauth:), required when the
    // policy has one.
    static std::shared_ptr<KeySources> start(const gate::Policy& policy, std::shared_ptr<spdlog::logger> log,
                                             std::shared_ptr<gate::KeySource> self = nullptr);

    ~KeySources();  // stops the fetch thread and joins it
    KeySources(const KeySources&) = delete;
    KeySources& operator=(const KeySources&) = delete;

    // By issuer name; fixed after start(), safe to read from any thread.
    [[nodiscard]] const gate::KeySources& by_issuer() const;

    // About once a second (the server's control thread): key files re-read
    // when changed, remote key sets refetched when due.
    void tick();

private:
    struct Impl;
    explicit KeySources(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gk::server
