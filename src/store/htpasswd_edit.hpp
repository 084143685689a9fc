#pragma once
// Edits of htpasswd text that touch only the line concerned: comments, blank
// lines, order and line endings survive. Each edit first parses the whole
// text and refuses to touch a file it cannot parse (the error has the line).
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "store/store_error.hpp"

namespace gk::store {

// Appends "user:hash"; `exists` if the user is already there.
Result<std::string, StoreError> htpasswd_add(std::string_view text, std::string_view user, std::string_view hash);
// Replaces the user's hash in place; `not_found` if absent.
Result<std::string, StoreError> htpasswd_set(std::string_view text, std::string_view user, std::string_view hash);
// Drops the user's line; `not_found` if absent.
Result<std::string, StoreError> htpasswd_remove(std::string_view text, std::string_view user);

}  // namespace gk::store
