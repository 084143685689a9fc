#pragma once
// A Bearer issuer's keys for gate tests: a fixed set (null = a failed
// fetch), remembering the unknown kids the gate asked about.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/gate/key_source.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::gate::test {

class FixedKeys final : public KeySource {
public:
    std::shared_ptr<const jose::JwkSet> keys() const override { return set; }
    void on_unknown_kid(std::string_view kid) override { unknown_kids.emplace_back(kid); }
    std::string problem() const override { return set ? "" : "fetch failed"; }
    std::shared_ptr<const jose::JwkSet> set;
    std::vector<std::string> unknown_kids;
};

}  // namespace gk::gate::test
