#pragma once
// The issuer stores keep lists (redirect URIs, scopes, grant types) as one
// newline-joined text column, so both engines store them alike.
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/issuer/store.hpp"

namespace gk::store {

// Refuses empty items and items with control characters (invalid): either
// would not survive the round trip. `what` names the list in the message.
Result<std::string, issuer::StoreFailure> join_list(const std::vector<std::string>& items,
                                                    std::string_view what);
std::vector<std::string> split_list(std::string_view joined);

}  // namespace gk::store
