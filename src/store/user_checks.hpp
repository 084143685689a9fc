#pragma once
// The field checks every user database applies before a write (SQLite and
// PostgreSQL alike), so both refuse the same records with the same kind.
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/store_error.hpp"

namespace gk::store {

// Each group as check_group_name wants it.
Result<Ok, StoreError> check_groups(const std::vector<std::string>& groups);
// No empty or unprintable field (fields are stored TAB- and LF-separated),
// and a Digest algorithm gatekeeper knows.
Result<Ok, StoreError> check_digest_secrets(const std::vector<gate::DigestSecret>& secrets);
// Not empty, no control character.
Result<Ok, StoreError> check_password_hash(std::string_view hash);

}  // namespace gk::store
