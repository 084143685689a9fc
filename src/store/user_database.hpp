#pragma once
// A user source that is a database with groups (SQLite file, PostgreSQL):
// lookups as every UserDirectory, plus the management the `gatekeeper user`
// command needs, the same on both engines (one conformance suite,
// tests/unit/store/user_directory_conformance.hpp).
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/store_error.hpp"

namespace gk::store {

class UserDatabase : public gate::UserDirectory {
public:
    // Names are checked (store/names.hpp); groups sorted with duplicates
    // folded; Digest secrets (one per realm and algorithm) replace the user's
    // previous ones together with the password. The same defaults are
    // repeated by the engines, for callers that hold the concrete type.
    virtual Result<Ok, StoreError> add_user(std::string_view name, std::string_view password_hash,
                                            const std::vector<std::string>& groups,
                                            std::string_view email = {},
                                            const std::vector<gate::DigestSecret>& digest_secrets = {}) = 0;
    virtual Result<Ok, StoreError> set_password(
        std::string_view name, std::string_view password_hash,
        const std::vector<gate::DigestSecret>& digest_secrets = {}) = 0;
    virtual Result<Ok, StoreError> set_groups(std::string_view name,
                                              const std::vector<std::string>& groups) = 0;
    virtual Result<Ok, StoreError> set_disabled(std::string_view name, bool disabled) = 0;
    virtual Result<Ok, StoreError> delete_user(std::string_view name) = 0;
    // Every user, sorted by name (bytes), groups sorted.
    [[nodiscard]] virtual Result<std::vector<gate::UserRecord>, StoreError> list_users() const = 0;
};

}  // namespace gk::store
