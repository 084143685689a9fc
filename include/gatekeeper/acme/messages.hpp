#pragma once
// ACME resources (RFC 8555 section 7.1) parsed from JSON, and problem
// documents (RFC 7807, section 6.7) turned into errors that say what went wrong.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::acme {

// Every failure of the ACME core: a problem document from the CA, or a
// transport / protocol fault on our side. Never holds a key or a nonce.
struct AcmeError {
    std::string type;    // "urn:ietf:params:acme:error:..." from the CA, or "transport", "protocol", "stopped"
    std::string detail;  // human text
    unsigned status = 0; // HTTP status of the reply, when there was one
    std::vector<std::string> subproblems;  // "identifier: detail" per subproblem

    [[nodiscard]] bool is(std::string_view acme_type) const;  // e.g. is("badNonce")
    [[nodiscard]] std::string message() const;                 // one line for the log
};

// A problem document (Content-Type application/problem+json), or a generic
// error naming the status when the body is not one.
AcmeError parse_problem(unsigned status, std::string_view body);

struct Directory {
    std::string new_nonce, new_account, new_order;
    std::string terms_of_service;  // meta.termsOfService, may be empty
};
Result<Directory, AcmeError> parse_directory(std::string_view json);

struct Order {
    std::string status;  // pending, ready, processing, valid, invalid
    std::vector<std::string> authorizations;
    std::string finalize;
    std::string certificate;  // set once valid
    std::optional<AcmeError> error;
};
Result<Order, AcmeError> parse_order(std::string_view json);

struct Challenge {
    std::string type;  // "http-01", "tls-alpn-01", "dns-01", ...
    std::string url;
    std::string token;
    std::string status;
    std::optional<AcmeError> error;
};

struct Authorization {
    std::string status;  // pending, valid, invalid, deactivated, expired, revoked
    std::string identifier;  // the dns name
    bool wildcard = false;
    std::vector<Challenge> challenges;
};
Result<Authorization, AcmeError> parse_authorization(std::string_view json);

// Account status from a newAccount reply ("valid", "deactivated", "revoked").
Result<std::string, AcmeError> parse_account_status(std::string_view json);

// Retry-After (RFC 9110 section 10.2.3) as delta-seconds; an HTTP-date or
// nonsense gives nullopt (the caller's default applies).
std::optional<long> parse_retry_after(std::string_view value);

}  // namespace gk::acme
