#pragma once
// Brute-force protection: failed credential checks are counted per client
// address and per user name in a sliding window; once a count reaches its
// limit, that address or name is locked out, first briefly and then twice as
// long with each further failure, up to a maximum. A locked key gets 429 with
// Retry-After before any credential is looked at, so a locked user cannot be
// told apart from an unknown one, and a right password guessed during a
// lock-out is worth nothing.
//
// Counting is by name whether the user exists or not. A success forgets only
// the failures the same client address made against the same name: one
// client's correct login never clears what another client did, and a client's
// own address counter is never cleared by succeeding on an account it owns
// (else an attacker could interleave its own logins to reset it).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"

namespace gk::gate {

// The limits (config `brute_force:`, per route or global). 0 turns a count off.
struct AttemptLimits {
    unsigned per_address = 50;
    unsigned per_user = 10;
    std::chrono::seconds window{15 * 60};
    std::chrono::milliseconds first_lockout{1000};  // at the limit; doubles with each further failure
    std::chrono::seconds max_lockout{15 * 60};
};

// What a store knows of one key's failures inside the window.
struct AttemptSummary {
    std::uint32_t failures = 0;
    std::int64_t newest_ms = 0;  // Unix milliseconds of the newest failure
};

// Failure counters, shared by every worker thread (and later by every
// instance). Keys are opaque strings; `source` tells apart the client
// addresses that failed against one key. Times are Unix milliseconds. An
// error means the store could not answer: the caller fails closed.
class AttemptStore {
public:
    virtual ~AttemptStore() = default;
    [[nodiscard]] virtual Result<AttemptSummary, std::string> summary(std::string_view key,
                                                                      std::int64_t since_ms) = 0;
    // Failures older than since_ms may be dropped while adding.
    [[nodiscard]] virtual Result<Ok, std::string> add_failure(std::string_view key, std::int64_t at_ms,
                                                              std::uint64_t source, std::int64_t since_ms) = 0;
    // Drop the failures `source` made against `key`.
    [[nodiscard]] virtual Result<Ok, std::string> forget(std::string_view key, std::uint64_t source) = 0;
    // false only when the store certainly holds no failure at all: callers
    // then skip building keys, which keeps the per-request cost near zero
    // when nobody is guessing. A shared store may always say true.
    [[nodiscard]] virtual bool may_hold_failures() const noexcept { return true; }
};

// How much longer a key with this summary stays locked; zero when it is not.
std::chrono::milliseconds lockout_left(const AttemptSummary& s, unsigned limit, const AttemptLimits& limits,
                                       std::int64_t now_ms);

// The counter keys. IPv6 addresses count per /64 (one host usually owns the
// whole prefix); anything that is not an IP address counts as itself.
std::string address_key(std::string_view client_address);
std::string user_key(std::string_view user);
std::uint64_t source_of(std::string_view client_address);

// Who is trying: the client address and, for password schemes, the name.
struct Attempt {
    std::string_view client_address;
    std::string_view user;  // empty: the credential names nobody (API key, token)
};

// The answer before a credential is checked.
struct AttemptGate {
    enum class Kind { go, locked, unavailable } kind = Kind::go;
    int retry_after_seconds = 0;  // for locked, rounded up
    std::string reason;           // for the operator's log
};

// A null store or all-zero limits: always go.
AttemptGate check_attempt(AttemptStore* store, const AttemptLimits& limits, const Attempt& a,
                          std::chrono::system_clock::time_point now);
// After the check: a failure counts against the address and the name; a
// success forgets this address's failures against this name. Store errors
// are ignored here: the answer was already decided, and the next check_attempt
// fails closed if the store is still down.
void record_failure(AttemptStore* store, const AttemptLimits& limits, const Attempt& a,
                    std::chrono::system_clock::time_point now);
void record_success(AttemptStore* store, const Attempt& a);

}  // namespace gk::gate
