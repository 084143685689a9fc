#pragma once
// Apache htpasswd text: "user:hash" per line; '#' comments and blank lines kept
// out. Parsing is pure; reading and atomic writing live in store/.
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::password {

struct HtpasswdEntry {
    std::string user;
    std::string hash;
    int line = 0;
};

struct HtpasswdError {
    int line = 0;
    std::string message;  // never contains the hash
};

Result<std::vector<HtpasswdEntry>, HtpasswdError> parse_htpasswd(std::string_view text);
std::string format_htpasswd(const std::vector<HtpasswdEntry>& entries);

}  // namespace gk::password
