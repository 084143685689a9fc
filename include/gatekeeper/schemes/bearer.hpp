#pragma once
// The Bearer scheme (RFC 6750): where the token is, and the challenges with
// the error codes a client can act on (section 3). Checking the token is jose/'s job.
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::schemes {

// RFC 6750 section 3.1.
enum class BearerErrorCode { invalid_request, invalid_token, insufficient_scope };
const char* to_string(BearerErrorCode) noexcept;

enum class BearerParseError {
    not_bearer,     // scheme is not "Bearer" (case-insensitive)
    missing_token,  // "Bearer" alone, or auth-params instead of a b64token
};
const char* to_string(BearerParseError) noexcept;

// The b64token of `Authorization: Bearer <token>` (the grammar was checked by
// the credentials parser: token68 is exactly b64token).
Result<std::string_view, BearerParseError> bearer_token(const httpauth::Credentials& c);

// The first access_token=... in a query string (RFC 6750 2.3), percent-decoded;
// nullopt when absent. A second one is reported as `duplicate`.
struct QueryToken {
    std::string token;
    bool duplicate = false;
    bool malformed = false;  // bad percent-encoding or characters outside b64token
};
std::optional<QueryToken> query_access_token(std::string_view query);

// The query without any access_token parameter (what goes upstream).
std::string strip_access_token(std::string_view query);

// Bearer realm="..." [, error="...", error_description="..."] [, scope="..."]
// Strings are quoted; error_description and scope carry no '"' or '\' (RFC 6750 3).
httpauth::Challenge bearer_challenge(std::string_view realm, std::optional<BearerErrorCode> error = std::nullopt,
                                     std::string_view description = {}, std::string_view scope = {});

}  // namespace gk::schemes
