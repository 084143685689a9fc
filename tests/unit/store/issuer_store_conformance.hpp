#pragma once
// One behaviour suite for every issuer::IssuerStore engine
// (issuer_store_conformance_test.cpp): each engine's test file gives a
// backend and instantiates the suite with it, so SQLite and PostgreSQL pass
// the same cases. What only one engine has (file modes, schema upgrades from
// the users' schema, server faults) stays in that engine's own file.
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "gatekeeper/issuer/store.hpp"

namespace gk::store::test {

class IssuerStoreBackend {
public:
    virtual ~IssuerStoreBackend() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    // A store on new, empty state (nullptr and a test failure if it cannot open).
    virtual std::unique_ptr<issuer::IssuerStore> fresh() = 0;
    // Another store on the state of the last fresh(): another process on the
    // same file, another instance on the same database.
    virtual std::unique_ptr<issuer::IssuerStore> another() = 0;
};

class IssuerStoreConformance : public ::testing::TestWithParam<IssuerStoreBackend*> {
protected:
    std::unique_ptr<issuer::IssuerStore> open() { return GetParam()->fresh(); }
    std::unique_ptr<issuer::IssuerStore> another() { return GetParam()->another(); }
};

// ---- helpers of the suite's files ----

using Kind = issuer::StoreFailure::Kind;
using Strings = std::vector<std::string>;

inline std::string message_of(const issuer::StoreFailure& f) { return f.message; }
inline std::string message_of(const std::string& s) { return s; }

// The value of a result that must succeed; a default value (and a test failure) otherwise.
template <class T, class E>
T must(Result<T, E> r) {
    if (!r) {
        ADD_FAILURE() << message_of(r.error());
        return T{};
    }
    return std::move(r).value();
}

template <class T>
Kind kind_of(const issuer::StoreResult<T>& r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? Kind::unavailable : r.error().kind;
}

inline gate::SessionRecord session(std::string id, std::string user, std::int64_t last_seen = 100,
                                   std::int64_t expires_at = 1000) {
    const std::string csrf = "csrf-" + user;
    return {std::move(id), std::move(user), csrf, 100, last_seen, expires_at};
}

inline issuer::RefreshToken refresh(std::string hash, std::string family = "fam", std::string user = "alice",
                                    std::int64_t expires_at = 1000) {
    return {std::move(hash), std::move(family), "app", std::move(user), "openid profile", 100, expires_at};
}

// The next token of a rotation: the caller knows only its new hash.
inline issuer::RefreshToken next_token(std::string hash) {
    issuer::RefreshToken t;
    t.token_hash = std::move(hash);
    return t;
}

// The engine's name where GoogleTest (and so CTest's test names) would print an address.
inline void PrintTo(IssuerStoreBackend* b, std::ostream* os) { *os << b->name(); }

}  // namespace gk::store::test
