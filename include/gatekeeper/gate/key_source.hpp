#pragma once
// Where the Bearer check gets the verification keys of one trusted issuer
// (a JWKS URL, OIDC discovery, or a local file). Adapters live in server/;
// the gate only reads the last good key set.
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/jose/jwk.hpp"

namespace gk::gate {

class KeySource {
public:
    virtual ~KeySource() = default;
    // The last key set that loaded; null when none ever did (the route then
    // answers 503: fail closed). Thread-safe, never blocks.
    [[nodiscard]] virtual std::shared_ptr<const jose::JwkSet> keys() const = 0;
    // A token named a kid the current set lacks: the source may fetch again,
    // at most once per its minimum interval. Thread-safe, never blocks.
    virtual void on_unknown_kid(std::string_view kid) = 0;
    // Why there are no keys (for the log and 503 reason); "" when fine.
    [[nodiscard]] virtual std::string problem() const = 0;
};

}  // namespace gk::gate
