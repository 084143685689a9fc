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

// A client as both engines store it: checked (a client_id, a ttl >= 0) and
// its lists joined; `what` is how messages name it ("client '<id>'").
struct ClientRow {
    std::string what;
    std::string redirect_uris;
    std::string scopes;
    std::string grant_types;
};
Result<ClientRow, issuer::StoreFailure> client_row(const issuer::Client& c);

}  // namespace gk::store
