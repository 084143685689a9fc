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

// The engine's name where GoogleTest (and so CTest's test names) would print an address.
inline void PrintTo(IssuerStoreBackend* b, std::ostream* os) { *os << b->name(); }

}  // namespace gk::store::test
