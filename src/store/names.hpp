#pragma once
// What a user, group or email may look like in any store. The rules come from
// where the names end up: Basic credentials (RFC 7617 forbids ':' in a
// user-id), htpasswd lines, and identity headers sent upstream.
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"

namespace gk::store {

inline constexpr std::size_t kMaxNameBytes = 255;

// Non-empty, at most kMaxNameBytes, no control characters (CR/LF would split
// a file line or a header), no ':', no leading '#' (an htpasswd comment) and
// no surrounding spaces (invisible and easily mistyped).
Result<Ok, std::string> check_user_name(std::string_view name);
// As for users, and no ',' either: groups travel comma-joined in headers.
Result<Ok, std::string> check_group_name(std::string_view name);
// Empty is fine; otherwise no control characters, no spaces, one '@'.
Result<Ok, std::string> check_email(std::string_view email);

}  // namespace gk::store
