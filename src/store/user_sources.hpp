#pragma once
// From a configured user source to an open UserDirectory: shared by the
// server (serving) and the CLI (managing), so both open sources the same way.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/pg_conn.hpp"

namespace gk::store {

// A realm of a Digest route, and the hash families its challenges offer:
// setting a password writes one H(user:realm:password) for each.
struct DigestRealm {
    std::string realm;
    std::vector<schemes::DigestAlgorithm> algorithms;
};

struct UserSourceRef {
    enum class Kind { htpasswd, sqlite, htdigest, postgres };
    Kind kind = Kind::htpasswd;
    std::filesystem::path path;              // empty for postgres
    std::vector<DigestRealm> digest_realms;  // from the config's Digest routes on this source
    // postgres: the state database (policy.state), and how to reach it.
    std::string conninfo = {};
    PgOptions pg = {};
};

// What names the source in messages and audit records: its file, or the database.
std::string describe(const UserSourceRef& ref);

// The store-side kind of a configured source.
UserSourceRef::Kind kind_of(gate::UserSource::Kind kind) noexcept;

// The named source, or the first one when `name` is empty. Paths are taken
// as they are: config/ has already resolved them against the config file's folder.
Result<UserSourceRef, std::string> source_from_policy(const gate::Policy& policy, std::string_view name = {});

struct OpenedDirectory {
    std::shared_ptr<gate::UserDirectory> directory;
    // For the periodic tick: re-reads a changed htpasswd or htdigest file, or
    // the users PostgreSQL changed, returns an error message when the re-read
    // failed (the old users stay live). Empty for sources that need no polling.
    std::function<Result<Ok, std::string>()> refresh;
};

// An htpasswd or htdigest source opens even when its file is broken (unhealthy until it
// is fixed, so routes fail closed with 503), and so does a PostgreSQL source
// whose server is down (its refresh retries); an SQLite database that cannot
// be opened is an error.
Result<OpenedDirectory, std::string> open_user_directory(const UserSourceRef& ref);

}  // namespace gk::store
