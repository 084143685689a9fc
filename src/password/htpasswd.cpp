// htpasswd text <-> entries. Error messages carry line numbers (and user
// names, which are not secret) but never any part of a hash.
#include "gatekeeper/password/htpasswd.hpp"

#include <unordered_map>

namespace gk::password {
namespace {

// No real line is near this; a bound keeps a corrupt file from being one huge "hash".
constexpr std::size_t kMaxLine = 8192;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool is_ctl(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

bool is_blank(std::string_view line) noexcept {
    return line.find_first_not_of(" \t") == std::string_view::npos;
}

HtpasswdError error_at(int line, std::string what) {
    return HtpasswdError{line, "line " + std::to_string(line) + ": " + std::move(what)};
}

}  // namespace

Result<std::vector<HtpasswdEntry>, HtpasswdError> parse_htpasswd(std::string_view text) {
    std::vector<HtpasswdEntry> entries;
    std::unordered_map<std::string_view, int> first_line;  // views into `text`
    // Windows editors like to start files with a UTF-8 byte order mark; it is
    // not part of the first user name.
    if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
    int number = 0;
    while (!text.empty()) {
        ++number;
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);

        if (line.size() > kMaxLine) return fail(error_at(number, "line too long"));
        if (is_blank(line) || line.front() == '#') continue;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return fail(error_at(number, "expected user:hash"));
        std::string_view user = line.substr(0, colon);
        std::string_view hash = line.substr(colon + 1);
        if (user.empty()) return fail(error_at(number, "empty user name"));
        for (char c : user)
            if (is_ctl(c)) return fail(error_at(number, "control character in user name"));
        // Invisible, and a file starting with such a user would lose it on re-reading.
        if (user.starts_with(kBom)) return fail(error_at(number, "user name starts with a byte order mark"));
        if (hash.empty()) return fail(error_at(number, "empty password hash"));
        for (char c : hash)
            if (is_ctl(c)) return fail(error_at(number, "control character in password hash"));
        auto [it, inserted] = first_line.emplace(user, number);
        if (!inserted)
            return fail(error_at(number, "duplicate user '" + std::string(user) + "' (first on line " +
                                             std::to_string(it->second) + ")"));
        entries.push_back(HtpasswdEntry{std::string(user), std::string(hash), number});
    }
    return entries;
}

std::string format_htpasswd(const std::vector<HtpasswdEntry>& entries) {
    std::string out;
    for (const auto& e : entries) out.append(e.user).append(":").append(e.hash).append("\n");
    return out;
}

}  // namespace gk::password
