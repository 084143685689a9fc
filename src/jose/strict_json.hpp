#pragma once
// Strict JSON for JOSE (internal to jose/). Boost.JSON keeps one of two
// duplicate member names without saying so; RFC 7515 section 5.2 and RFC 7519
// section 4 let a parser reject them, and gatekeeper must: two parsers that
// pick different duplicates are the attack ({"alg":"HS256","alg":"none"},
// {"sub":"alice","sub":"admin"}). So one pass over the text both checks every
// object at every depth for duplicates and builds the value.
#include <boost/json/object.hpp>
#include <cstddef>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/jose/error.hpp"

namespace gk::jose::detail {

// Nesting depth allowed in headers, claims and key sets (SECURITY.md row 36).
inline constexpr std::size_t kMaxJsonDepth = 16;

// A JSON text whose top level is an object: no duplicate member names in any
// object, well-formed UTF-8, nothing but whitespace after the object, at most
// `max_depth` nested arrays/objects, no number outside the range of a double
// (1e400). Errors: duplicate_member, else bad_json.
Result<boost::json::object, JoseError> parse_object(std::string_view text,
                                                    std::size_t max_depth = kMaxJsonDepth);

}  // namespace gk::jose::detail
