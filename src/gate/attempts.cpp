#include "gatekeeper/gate/attempts.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace gk::gate {
namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

int seconds_rounded_up(std::chrono::milliseconds ms) {
    return static_cast<int>((ms.count() + 999) / 1000);
}

bool counts(const AttemptLimits& l) { return l.per_address > 0 || l.per_user > 0; }

}  // namespace

std::chrono::milliseconds lockout_left(const AttemptSummary& s, unsigned limit, const AttemptLimits& limits,
                                       std::int64_t now_ms) {
    if (limit == 0 || s.failures < limit) return std::chrono::milliseconds{0};
    const auto max = std::chrono::duration_cast<std::chrono::milliseconds>(limits.max_lockout);
    const unsigned doublings = std::min<unsigned>(s.failures - limit, 40);
    auto delay = limits.first_lockout;
    for (unsigned i = 0; i < doublings && delay < max; ++i) delay *= 2;
    delay = std::min(delay, max);
    const std::int64_t left = s.newest_ms + delay.count() - now_ms;
    return std::chrono::milliseconds{std::max<std::int64_t>(left, 0)};
}

std::string address_key(std::string_view client_address) {
    std::string text(client_address);
    std::array<unsigned char, 16> b{};
    if (inet_pton(AF_INET6, text.c_str(), b.data()) == 1) {
        const bool v4_mapped = std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; }) &&
                               b[10] == 0xff && b[11] == 0xff;
        char out[64];
        if (v4_mapped) {
            std::snprintf(out, sizeof out, "a:%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
        } else {
            std::snprintf(out, sizeof out, "a:%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4],
                          b[5], b[6], b[7]);
        }
        return out;
    }
    return "a:" + text;
}

std::string user_key(std::string_view user) { return "u:" + std::string(user); }

std::uint64_t source_of(std::string_view client_address) {
    // FNV-1a: stable across processes, so a shared store sees one source per address.
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : address_key(client_address)) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

AttemptGate check_attempt(AttemptStore* store, const AttemptLimits& limits, const Attempt& a,
                          std::chrono::system_clock::time_point now) {
    AttemptGate g;
    if (!store || !counts(limits) || !store->may_hold_failures()) return g;
    const auto now_ms = unix_ms(now);
    const auto since = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(limits.window).count();
    auto consider = [&](const std::string& key, unsigned limit, const char* what) {
        // Both counters are asked even when the first cannot answer: a network
        // store fetches what the gate asked for in one round trip.
        if (limit == 0) return;
        auto s = store->summary(key, since);
        if (!s) {
            if (g.kind != AttemptGate::Kind::unavailable) g.reason = "failure counters unavailable: " + s.error();
            g.kind = AttemptGate::Kind::unavailable;
            return;
        }
        if (g.kind == AttemptGate::Kind::unavailable) return;
        const auto left = lockout_left(*s, limit, limits, now_ms);
        if (left.count() > 0) {
            const int secs = seconds_rounded_up(left);
            if (g.kind != AttemptGate::Kind::locked || secs > g.retry_after_seconds) {
                g.kind = AttemptGate::Kind::locked;
                g.retry_after_seconds = secs;
                g.reason = std::string(what) + " locked out after " + std::to_string(s->failures) + " failures";
            }
        }
    };
    consider(address_key(a.client_address), limits.per_address, "client address");
    if (!a.user.empty()) consider(user_key(a.user), limits.per_user, "user name");
    return g;
}

void record_failure(AttemptStore* store, const AttemptLimits& limits, const Attempt& a,
                    std::chrono::system_clock::time_point now) {
    if (!store || !counts(limits)) return;
    const auto now_ms = unix_ms(now);
    const auto since = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(limits.window).count();
    const auto source = source_of(a.client_address);
    if (limits.per_address > 0) (void)store->add_failure(address_key(a.client_address), now_ms, source, since);
    if (limits.per_user > 0 && !a.user.empty()) (void)store->add_failure(user_key(a.user), now_ms, source, since);
}

void record_success(AttemptStore* store, const Attempt& a) {
    if (!store || a.user.empty() || !store->may_hold_failures()) return;
    (void)store->forget(user_key(a.user), source_of(a.client_address));
}

}  // namespace gk::gate
