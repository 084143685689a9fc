#include "gatekeeper/schemes/bearer.hpp"

#include <algorithm>
#include <array>

namespace gk::schemes {
namespace {

// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_b64token(std::string_view s) {
    // b64token is token68's class; the run is scanned by tables, eight at a time.
    std::size_t i = httpauth::token68_run(s);
    if (i == 0) return false;
    while (i < s.size() && s[i] == '=') ++i;
    return i == s.size();
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+') {
            out += ' ';  // form encoding: a space, which no b64token contains
        } else {
            out += s[i];
        }
    }
    return out;
}

// Calls f(name, value, whole) for each '&'-separated parameter.
template <class F>
void for_each_param(std::string_view query, F&& f) {
    std::size_t i = 0;
    while (i <= query.size()) {
        const auto amp = std::min(query.find('&', i), query.size());
        const auto part = query.substr(i, amp - i);
        const auto eq = part.find('=');
        f(part.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), part);
        i = amp + 1;
    }
}

}  // namespace

const char* to_string(BearerErrorCode e) noexcept {
    switch (e) {
        case BearerErrorCode::invalid_request: return "invalid_request";
        case BearerErrorCode::invalid_token: return "invalid_token";
        case BearerErrorCode::insufficient_scope: return "insufficient_scope";
    }
    return "invalid_request";
}

const char* to_string(BearerParseError e) noexcept {
    switch (e) {
        case BearerParseError::not_bearer: return "not a Bearer credential";
        case BearerParseError::missing_token: return "no bearer token";
    }
    return "malformed";
}

Result<std::string_view, BearerParseError> bearer_token(const httpauth::Credentials& c) {
    if (!httpauth::iequals(c.scheme, "Bearer")) return fail(BearerParseError::not_bearer);
    if (!c.token68 || !c.params.empty() || !is_b64token(*c.token68)) return fail(BearerParseError::missing_token);
    return std::string_view(*c.token68);
}

std::optional<QueryToken> query_access_token(std::string_view query) {
    std::optional<QueryToken> out;
    if (query.empty()) return out;
    for_each_param(query, [&](std::string_view name, std::string_view value, std::string_view) {
        if (name != "access_token") return;
        if (out) {
            out->duplicate = true;
            return;
        }
        out.emplace();
        auto decoded = percent_decode(value);
        if (!decoded || !is_b64token(*decoded)) out->malformed = true;
        else out->token = std::move(*decoded);
    });
    return out;
}

std::string strip_access_token(std::string_view query) {
    std::string out;
    if (query.empty()) return out;
    for_each_param(query, [&](std::string_view name, std::string_view, std::string_view whole) {
        if (name == "access_token" || whole.empty()) return;
        if (!out.empty()) out += '&';
        out += whole;
    });
    return out;
}

httpauth::Challenge bearer_challenge(std::string_view realm, std::optional<BearerErrorCode> error,
                                     std::string_view description, std::string_view scope) {
    httpauth::Challenge c;
    c.scheme = "Bearer";
    c.params.push_back({"realm", std::string(realm), true});
    if (error) {
        c.params.push_back({"error", to_string(*error), true});
        if (!description.empty()) c.params.push_back({"error_description", std::string(description), true});
    }
    if (!scope.empty()) c.params.push_back({"scope", std::string(scope), true});
    return c;
}

}  // namespace gk::schemes
