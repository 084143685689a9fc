// Apache htdigest text -> entries. Each HA1 is password-equivalent for its
// realm (RFC 7616 section 5.2), so error messages name the line and the user
// but never show any part of it.
#include <map>
#include <string>
#include <utility>

#include "gatekeeper/schemes/digest.hpp"

namespace gk::schemes {
namespace {

// htdigest writes user (<= 255) ":" realm (<= 255) ":" 32 hex; anything near
// this bound is a corrupt file, not an account.
constexpr std::size_t kMaxLine = 4096;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool has_ctl(std::string_view s) noexcept {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return true;
    }
    return false;
}

bool is_blank(std::string_view line) noexcept { return line.find_first_not_of(" \t") == std::string_view::npos; }

bool is_lower_hex(std::string_view s) noexcept {
    for (char ch : s) {
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
    }
    return true;
}

HtdigestError error_at(int line, std::string what) {
    return HtdigestError{line, "line " + std::to_string(line) + ": " + std::move(what)};
}

}  // namespace

Result<std::vector<HtdigestEntry>, HtdigestError> parse_htdigest(std::string_view text) {
    std::vector<HtdigestEntry> entries;
    std::map<std::pair<std::string_view, std::string_view>, int> first_line;  // views into `text`
    if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
    int number = 0;
    while (!text.empty()) {
        ++number;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);

        if (line.size() > kMaxLine) return fail(error_at(number, "line too long"));
        if (is_blank(line) || line.front() == '#') continue;
        const auto c1 = line.find(':');
        const auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) return fail(error_at(number, "expected user:realm:hash"));
        const std::string_view user = line.substr(0, c1);
        const std::string_view realm = line.substr(c1 + 1, c2 - c1 - 1);
        const std::string_view ha1 = line.substr(c2 + 1);
        if (user.empty()) return fail(error_at(number, "empty user name"));
        if (has_ctl(user)) return fail(error_at(number, "control character in user name"));
        if (realm.empty()) return fail(error_at(number, "empty realm"));
        if (has_ctl(realm)) return fail(error_at(number, "control character in realm"));
        // A third ':' lands in the hash field; say what is actually wrong.
        if (ha1.find(':') != std::string_view::npos) {
            return fail(error_at(number, "too many ':' (user and realm cannot contain ':')"));
        }
        if (ha1.size() != 32 || !is_lower_hex(ha1)) {
            return fail(error_at(number, "hash is not 32 lower-case hex digits (MD5 of user:realm:password)"));
        }
        const auto [it, inserted] = first_line.emplace(std::pair{user, realm}, number);
        if (!inserted) {
            return fail(error_at(number, "duplicate user '" + std::string(user) + "' in realm '" +
                                             std::string(realm) + "' (first on line " +
                                             std::to_string(it->second) + ")"));
        }
        entries.push_back(HtdigestEntry{std::string(user), std::string(realm), std::string(ha1), number});
    }
    return entries;
}

}  // namespace gk::schemes
