#pragma once
// One behaviour suite for the user databases with groups (SQLite and
// PostgreSQL; user_directory_conformance_test.cpp): each engine's test file
// gives a backend and instantiates the suite with it. What only one engine
// has (file faults, refresh across instances, a server going away) stays in
// that engine's own file.
//
// The PostgreSQL directory answers lookups from a snapshot that refresh()
// brings up to date (the server's tick calls it every second): its backend's
// sync() calls refresh(), and the suite calls sync() before every lookup
// (look(), by_userhash()), so a write is always followed by a refresh before
// it is looked for. SQLite's sync() does nothing.
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "gatekeeper/gate/ports.hpp"
#include "gatekeeper/schemes/digest.hpp"
#include "store/store_error.hpp"
#include "store/user_database.hpp"
#include "test_util.hpp"

namespace gk::store::test {

class UserDirectoryBackend {
public:
    virtual ~UserDirectoryBackend() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    // A database on new, empty state (nullptr and a test failure if it cannot open).
    virtual std::unique_ptr<UserDatabase> fresh() = 0;
    // Makes the writes so far visible to lookups (PostgreSQL: refresh()).
    virtual void sync(UserDatabase&) {}
};

class UserDirectoryConformance : public ::testing::TestWithParam<UserDirectoryBackend*> {
protected:
    std::unique_ptr<UserDatabase> open() { return GetParam()->fresh(); }
    // A lookup after a sync: what a lookup answers once the writes are seen.
    std::optional<gate::UserRecord> look(UserDatabase& db, std::string_view name) {
        GetParam()->sync(db);
        return must(db.find(name));
    }
    // The same for a Digest userhash lookup (RFC 7616 3.4.4) of `user` in `realm`.
    std::optional<gate::UserRecord> by_userhash(UserDatabase& db, schemes::DigestAlgorithm alg,
                                                std::string_view user, std::string_view realm) {
        GetParam()->sync(db);
        return must(db.find_by_digest_userhash(realm, schemes::to_string(alg),
                                               schemes::digest_userhash(alg, user, realm)));
    }
};

// The engine's name where GoogleTest would print an address.
inline void PrintTo(UserDirectoryBackend* b, std::ostream* os) { *os << b->name(); }

}  // namespace gk::store::test
