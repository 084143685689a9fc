#pragma once
#include <string>
#include <vector>

namespace gk::gate {

// Who a request comes from, once a scheme has proved it.
struct Identity {
    std::string user;
    std::string email;
    std::vector<std::string> groups;
    std::string scheme;  // "basic", "digest", "bearer", ...
    std::vector<std::string> scopes;  // Bearer: the token's scopes
};

}  // namespace gk::gate
