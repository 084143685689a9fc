#pragma once
// Digest nonce counts (the replay defence) kept in Redis, so that a nonce
// issued by one instance and used on the next still counts once: the gate
// asks the view, a count it has not got is recorded as missing and answered
// "not fetched" (the decision fails closed), session.cpp advances it in Redis
// (one atomic script per nonce, redis_nonce_counts.hpp) and runs the gate
// again, which then reads the answer. Like AttemptView, for the same reason:
// the gate stays pure and synchronous.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gatekeeper/schemes/digest.hpp"

namespace gk::server {

class NonceCountView final : public schemes::NonceCountStore {
public:
    struct Missing {
        std::string nonce;
        std::uint32_t nc = 0;
    };

    Result<bool, std::string> advance(std::string_view nonce, std::uint32_t nc) override;

    [[nodiscard]] std::vector<Missing> take_missing();
    void answer(const Missing& m, Result<bool, std::string> advanced);

    static constexpr const char* kNotFetched = "not fetched";

private:
    std::map<std::pair<std::string, std::uint32_t>, Result<bool, std::string>> answers_;
    std::vector<Missing> missing_;
};

}  // namespace gk::server
