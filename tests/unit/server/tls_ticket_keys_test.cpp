// Session ticket keys at time t: one key encrypts per period, the previous
// one still decrypts (and asks for a fresh ticket), older ones are forgotten.
#include <gtest/gtest.h>

#include <cstring>

#include "server/tls_ticket_keys.hpp"

namespace gk::server {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

struct Fixture {
    TimePoint now = TimePoint{} + 1000h;
    std::uint8_t counter = 0;
    TicketKeyRing ring{12h, [this] { return now; }, [this](std::uint8_t* p, std::size_t n) {
                           std::memset(p, ++counter, n);  // distinct, predictable keys
                           return true;
                       }};
};

TEST(TicketKeys, OneKeyPerPeriodAndTheOldOneDecryptsForOneMore) {
    Fixture f;
    const auto k1 = f.ring.encrypting_key();
    ASSERT_TRUE(k1);
    struct Step {
        std::chrono::hours advance;  // since the previous step
        bool same_as_k1;             // the encrypting key is still k1
        bool k1_decrypts;
        bool k1_current;             // false: decrypts but renews
        std::size_t keys_held;
    } steps[] = {
        {0h, true, true, true, 1},   {6h, true, true, true, 1},    {5h, true, true, true, 1},
        {1h, false, true, false, 2},  // 12 h: a new key; k1 decrypts, renews
        {11h, false, true, false, 2},
        {1h, false, false, false, 2},  // 24 h: k1 forgotten, k2 previous, k3 current
    };
    for (std::size_t i = 0; i < std::size(steps); ++i) {
        const auto& s = steps[i];
        f.now += s.advance;
        const auto enc = f.ring.encrypting_key();
        ASSERT_TRUE(enc) << i;
        EXPECT_EQ(enc->name == k1->name, s.same_as_k1) << i;
        const auto dec = f.ring.decrypting_key(k1->name.data());
        EXPECT_EQ(dec.has_value(), s.k1_decrypts) << i;
        if (dec) {
            EXPECT_EQ(dec->current, s.k1_current) << i;
            EXPECT_EQ(dec->key.aes_key, k1->aes_key) << i;
        }
        EXPECT_EQ(f.ring.size(), s.keys_held) << i;
    }
}

TEST(TicketKeys, UnknownNameIsNotAccepted) {
    Fixture f;
    ASSERT_TRUE(f.ring.encrypting_key());
    const std::uint8_t other[16] = {0xee};
    EXPECT_FALSE(f.ring.decrypting_key(other));
}

TEST(TicketKeys, KeysAreForgottenWithoutTrafficToo) {
    Fixture f;
    const auto k1 = f.ring.encrypting_key();
    f.now += 24h;
    EXPECT_FALSE(f.ring.decrypting_key(k1->name.data()));
    EXPECT_EQ(f.ring.size(), 0u);
}

TEST(TicketKeys, NoKeyWhenTheRngFails) {
    TicketKeyRing ring{12h, {}, [](std::uint8_t*, std::size_t) { return false; }};
    EXPECT_FALSE(ring.encrypting_key());
    EXPECT_EQ(ring.size(), 0u);
}

TEST(TicketKeys, RealRandomKeysDiffer) {
    TimePoint now = std::chrono::system_clock::now();
    TicketKeyRing ring{1h, [&] { return now; }};
    const auto a = ring.encrypting_key();
    now += 1h;
    const auto b = ring.encrypting_key();
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->name, b->name);
    EXPECT_NE(a->aes_key, b->aes_key);
    EXPECT_NE(a->hmac_key, b->hmac_key);
}

}  // namespace
}  // namespace gk::server
