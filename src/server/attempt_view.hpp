#pragma once
// The brute-force counters a decision reads, fetched from a network store
// before the (pure, synchronous) gate runs, and the changes it makes, sent
// after. The gate asks the view; a counter the view has not got yet is
// recorded as missing and answered with an error, so a decision taken
// without the fetch fails closed (503). session.cpp then fetches what is
// missing on the event loop, without blocking it, and runs the gate again:
// the "say what you need, the server does the I/O and calls back in" of
// DESIGN.md, without teaching every scheme about I/O.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gatekeeper/gate/attempts.hpp"

namespace gk::server {

class AttemptView final : public gate::AttemptStore {
public:
    struct Missing {
        std::string key;
        std::int64_t since_ms = 0;
    };
    struct Change {
        enum class Kind { failure, forget } kind = Kind::failure;
        std::string key;
        std::int64_t at_ms = 0;
        std::uint64_t source = 0;
        std::int64_t since_ms = 0;
    };

    Result<gate::AttemptSummary, std::string> summary(std::string_view key, std::int64_t since_ms) override;
    Result<Ok, std::string> add_failure(std::string_view key, std::int64_t at_ms, std::uint64_t source,
                                        std::int64_t since_ms) override;
    Result<Ok, std::string> forget(std::string_view key, std::uint64_t source) override;

    // What the last gate run asked for and did not get; cleared by take_missing().
    [[nodiscard]] std::vector<Missing> take_missing();
    void answer(const std::string& key, Result<gate::AttemptSummary, std::string> summary);
    // The changes of the run that counts (earlier runs lacked answers: their changes are dropped).
    void drop_changes() { changes_.clear(); }
    [[nodiscard]] std::vector<Change> take_changes();

    static constexpr const char* kNotFetched = "not fetched";

private:
    std::map<std::string, Result<gate::AttemptSummary, std::string>, std::less<>> answers_;
    std::vector<Missing> missing_;
    std::vector<Change> changes_;
};

}  // namespace gk::server
