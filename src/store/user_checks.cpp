#include "store/user_checks.hpp"

#include <algorithm>

#include "gatekeeper/schemes/digest.hpp"
#include "store/names.hpp"

namespace gk::store {
namespace {

StoreError invalid(const std::string& msg) { return store_error(StoreError::Kind::invalid, msg); }

bool printable(std::string_view s) {
    return std::none_of(s.begin(), s.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

Result<Ok, StoreError> check_groups(const std::vector<std::string>& groups) {
    for (const auto& g : groups)
        if (auto r = check_group_name(g); !r) return fail(invalid(r.error()));
    return Ok{};
}

Result<Ok, StoreError> check_digest_secrets(const std::vector<gate::DigestSecret>& secrets) {
    for (const auto& d : secrets) {
        if (d.realm.empty() || d.algorithm.empty() || d.ha1.empty() || !printable(d.realm) ||
            !printable(d.algorithm) || !printable(d.ha1))
            return fail(invalid("digest secret with an empty or unprintable field"));
        if (!schemes::parse_digest_algorithm(d.algorithm))
            return fail(invalid("unknown Digest algorithm '" + d.algorithm + "'"));
    }
    return Ok{};
}

Result<Ok, StoreError> check_password_hash(std::string_view hash) {
    if (hash.empty() || !printable(hash))
        return fail(invalid("password hash is empty or contains a control character"));
    return Ok{};
}

}  // namespace gk::store
