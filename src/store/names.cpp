#include "store/names.hpp"

#include <algorithm>

namespace gk::store {
namespace {

bool has_ctl(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

Result<Ok, std::string> check_common(std::string_view what, std::string_view name) {
    if (name.empty()) return fail(std::string(what) + " name is empty");
    if (name.size() > kMaxNameBytes)
        return fail(std::string(what) + " name is longer than " + std::to_string(kMaxNameBytes) + " bytes");
    if (has_ctl(name)) return fail(std::string(what) + " name contains a control character");
    if (name.front() == ' ' || name.back() == ' ' || name.front() == '\t' || name.back() == '\t')
        return fail(std::string(what) + " name '" + std::string(name) + "' starts or ends with a space");
    return Ok{};
}

}  // namespace

Result<Ok, std::string> check_user_name(std::string_view name) {
    if (auto r = check_common("user", name); !r) return r;
    if (name.find(':') != std::string_view::npos)
        return fail("user name '" + std::string(name) + "' contains ':' (not allowed in Basic credentials)");
    if (name.front() == '#') return fail("user name '" + std::string(name) + "' starts with '#'");
    return Ok{};
}

Result<Ok, std::string> check_group_name(std::string_view name) {
    if (auto r = check_common("group", name); !r) return r;
    if (name.find(',') != std::string_view::npos)
        return fail("group name '" + std::string(name) + "' contains ','");
    return Ok{};
}

Result<Ok, std::string> check_email(std::string_view email) {
    if (email.empty()) return Ok{};
    if (email.size() > 320) return fail("email address is too long");
    if (has_ctl(email) || email.find(' ') != std::string_view::npos)
        return fail("email address contains a space or control character");
    auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 == email.size() ||
        email.find('@', at + 1) != std::string_view::npos)
        return fail("email address '" + std::string(email) + "' is not of the form local@domain");
    return Ok{};
}

}  // namespace gk::store
