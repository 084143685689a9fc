#pragma once
// What `gatekeeper user add|passwd|del|list` does, over either backend. The
// CLI file only parses arguments and reads the password; everything here is
// unit-tested.
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/common/secret.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "gatekeeper/password/hash.hpp"
#include "store/store_error.hpp"
#include "store/user_sources.hpp"

namespace gk::store {

struct NewUser {
    std::string name;
    std::vector<std::string> groups;
    std::string email;
};

// Hashes with argon2id (`params`; tests pass cheap ones). An htpasswd file is
// created (mode 0600) if missing; it cannot hold groups or an email, and
// asking for them is an `invalid` error rather than a silent drop.
Result<Ok, StoreError> admin_add(const UserSourceRef& src, const NewUser& user, const Secret& password,
                                 const password::Argon2Params& params = {});
Result<Ok, StoreError> admin_passwd(const UserSourceRef& src, std::string_view name, const Secret& password,
                                    const password::Argon2Params& params = {});
Result<Ok, StoreError> admin_delete(const UserSourceRef& src, std::string_view name);
// Sorted by name. Records include hashes: callers print names and groups only.
Result<std::vector<gate::UserRecord>, StoreError> admin_list(const UserSourceRef& src);

// "alice  admins,ops" lines for `user list` (never a hash); a trailing
// "(disabled)" marks disabled accounts.
std::string format_user_list(const std::vector<gate::UserRecord>& users);

}  // namespace gk::store
