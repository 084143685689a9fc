#pragma once
// Session ticket keys for one TLS listener: random, in memory only, a new one
// every `rotation`; a key still decrypts for one period after it stopped
// encrypting, then it is forgotten (so a stolen ticket key exposes at most two
// periods of sessions, and a restart forgets them all).
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

namespace gk::server {

struct TicketKey {
    std::array<std::uint8_t, 16> name{};      // sent in the clear in each ticket
    std::array<std::uint8_t, 32> aes_key{};   // AES-256-CBC
    std::array<std::uint8_t, 32> hmac_key{};  // HMAC-SHA256
    std::chrono::system_clock::time_point created;
};

// The pure part: which key encrypts and which decrypt at the clock's time.
// Thread-safe (every worker of the listener shares one ring).
class TicketKeyRing {
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;
    // Fills the buffer with random bytes; false when the RNG failed.
    using Random = std::function<bool(std::uint8_t*, std::size_t)>;

    explicit TicketKeyRing(std::chrono::seconds rotation, Clock clock = {}, Random random = {});
    ~TicketKeyRing();
    TicketKeyRing(const TicketKeyRing&) = delete;
    TicketKeyRing& operator=(const TicketKeyRing&) = delete;

    // The key for new tickets (made when the newest is a period old); nullopt if the RNG failed.
    [[nodiscard]] std::optional<TicketKey> encrypting_key();
    struct Found {
        TicketKey key;
        bool current = false;  // false: decrypts, but the client should get a fresh ticket
    };
    // The key a ticket names, if it is still accepted.
    [[nodiscard]] std::optional<Found> decrypting_key(const std::uint8_t* name);
    // How many keys are held now (after forgetting expired ones); for tests.
    [[nodiscard]] std::size_t size();

private:
    void forget_expired(std::chrono::system_clock::time_point now);

    std::chrono::seconds rotation_;
    Clock clock_;
    Random random_;
    std::mutex mu_;
    std::deque<TicketKey> keys_;  // newest first
};

// Makes `ctx` encrypt and decrypt its session tickets with `ring`'s keys
// (SSL_CTX_set_tlsext_ticket_key_evp_cb). `ring` must outlive every handshake
// on ctx. Also to be called on the contexts SNI switches to.
void use_ticket_keys(SSL_CTX* ctx, TicketKeyRing& ring);

}  // namespace gk::server
