#include "store/htpasswd_edit.hpp"

#include <algorithm>
#include <optional>

#include "gatekeeper/password/htpasswd.hpp"
#include "store/names.hpp"

namespace gk::store {
namespace {

using Kind = StoreError::Kind;

// The 1-based line holding `user`, nullopt if none; an unparsable text is an error.
Result<std::optional<int>, StoreError> locate(std::string_view text, std::string_view user) {
    auto parsed = password::parse_htpasswd(text);
    if (!parsed) return fail(store_error(Kind::unavailable, "cannot edit: " + parsed.error().message));
    for (const auto& e : parsed.value())
        if (e.user == user) return std::optional<int>{e.line};
    return std::optional<int>{};
}

std::string entry_line(std::string_view user, std::string_view hash) {
    std::string line = password::format_htpasswd({password::HtpasswdEntry{std::string(user), std::string(hash), 0}});
    if (line.ends_with('\n')) line.pop_back();
    return line;
}

bool uses_crlf(std::string_view text) {
    auto nl = text.find('\n');
    return nl != std::string_view::npos && nl > 0 && text[nl - 1] == '\r';
}

// Rebuilds `text` with line `number` replaced by `replacement` (its original
// line ending kept), or removed when replacement is nullopt.
std::string rewrite_line(std::string_view text, int number, const std::optional<std::string>& replacement) {
    std::string out;
    out.reserve(text.size() + 128);
    int current = 0;
    while (!text.empty()) {
        ++current;
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
        text.remove_prefix(line.size());
        if (current != number) {
            out.append(line);
            continue;
        }
        if (!replacement) continue;
        if (current == 1 && line.starts_with("\xEF\xBB\xBF")) out.append("\xEF\xBB\xBF");
        out.append(*replacement);
        if (line.ends_with("\r\n")) out.append("\r\n");
        else if (line.ends_with('\n')) out.append("\n");
    }
    return out;
}

Result<Ok, StoreError> check_hash(std::string_view hash) {
    bool bad = hash.empty() || std::any_of(hash.begin(), hash.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (bad) return fail(store_error(Kind::invalid, "password hash is empty or contains a control character"));
    return Ok{};
}

}  // namespace

Result<std::string, StoreError> htpasswd_add(std::string_view text, std::string_view user, std::string_view hash) {
    if (auto r = check_user_name(user); !r) return fail(store_error(Kind::invalid, r.error()));
    if (auto r = check_hash(hash); !r) return fail(r.error());
    auto where = locate(text, user);
    if (!where) return fail(where.error());
    if (where.value()) return fail(store_error(Kind::exists, "user '" + std::string(user) + "' already exists"));
    const char* eol = uses_crlf(text) ? "\r\n" : "\n";
    std::string out(text);
    if (!out.empty() && !out.ends_with('\n')) out.append(eol);
    out.append(entry_line(user, hash)).append(eol);
    return out;
}

Result<std::string, StoreError> htpasswd_set(std::string_view text, std::string_view user, std::string_view hash) {
    // No name check: a user made by another tool with an odd name may still get a new password.
    if (auto r = check_hash(hash); !r) return fail(r.error());
    auto where = locate(text, user);
    if (!where) return fail(where.error());
    if (!where.value()) return fail(store_error(Kind::not_found, "no user '" + std::string(user) + "'"));
    return rewrite_line(text, *where.value(), entry_line(user, hash));
}

Result<std::string, StoreError> htpasswd_remove(std::string_view text, std::string_view user) {
    auto where = locate(text, user);
    if (!where) return fail(where.error());
    if (!where.value()) return fail(store_error(Kind::not_found, "no user '" + std::string(user) + "'"));
    return rewrite_line(text, *where.value(), std::nullopt);
}

}  // namespace gk::store
