// Shared OAuth pieces: error responses, parameters, scopes, opaque tokens, PKCE.
#include <boost/json/serialize.hpp>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "issuer/oauth_internal.hpp"

namespace gk::issuer {

const char* to_string(OAuthErrorCode c) noexcept {
    switch (c) {
        case OAuthErrorCode::invalid_request:
            return "invalid_request";
        case OAuthErrorCode::invalid_client:
            return "invalid_client";
        case OAuthErrorCode::invalid_grant:
            return "invalid_grant";
        case OAuthErrorCode::unauthorized_client:
            return "unauthorized_client";
        case OAuthErrorCode::unsupported_grant_type:
            return "unsupported_grant_type";
        case OAuthErrorCode::invalid_scope:
            return "invalid_scope";
        case OAuthErrorCode::temporarily_unavailable:
            return "temporarily_unavailable";
    }
    return "invalid_request";
}

Response error_response(const OAuthError& e, const Settings& s) {
    int status = 400;
    if (e.code == OAuthErrorCode::temporarily_unavailable) status = 503;
    if (e.code == OAuthErrorCode::invalid_client && e.basic_challenge) status = 401;
    boost::json::object body;
    body["error"] = to_string(e.code);
    if (!e.description.empty()) body["error_description"] = e.description;
    Response r = detail::json_response(status, body);
    if (status == 401) {
        // realm is operator configuration; quotes and backslashes escaped (RFC 9110 5.6.4).
        std::string realm;
        for (char c : s.realm) {
            if (c == '"' || c == '\\') realm += '\\';
            realm += c;
        }
        r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
    }
    return r;
}

std::string new_opaque_token(std::string_view prefix) {
    return std::string(prefix) + httpauth::base64url_encode(crypto::random_bytes(32));
}

std::string token_hash(std::string_view token) {
    return crypto::to_hex(crypto::digest(crypto::DigestAlg::sha256, token));
}

std::string pkce_s256(std::string_view verifier) {
    return httpauth::base64url_encode(crypto::digest(crypto::DigestAlg::sha256, verifier));
}

bool valid_code_verifier(std::string_view v) noexcept {
    if (v.size() < 43 || v.size() > 128) return false;
    for (char c : v) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '.' || c == '_' || c == '~';
        if (!ok) return false;
    }
    return true;
}

namespace detail {

std::optional<std::string> duplicate_parameter(const Form& f) {
    for (const auto& field : f.fields()) {
        if (f.count(field.name) > 1) return field.name;
    }
    return std::nullopt;
}

std::optional<std::string_view> param(const Form& f, std::string_view name) {
    auto v = f.first(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
}

std::optional<std::vector<std::string>> parse_scope(std::string_view scope) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = scope.find(' ', start);
        const std::string_view tok = scope.substr(start, end == std::string_view::npos ? end : end - start);
        if (tok.empty()) return std::nullopt;  // leading, trailing or double space
        for (char c : tok) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x21 || u > 0x7e || c == '"' || c == '\\') return std::nullopt;
        }
        if (!has(out, tok)) out.emplace_back(tok);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

std::string join_scope(const std::vector<std::string>& scopes) {
    std::string out;
    for (const auto& s : scopes) {
        if (!out.empty()) out += ' ';
        out += s;
    }
    return out;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
    for (const auto& s : list) {
        if (s == item) return true;
    }
    return false;
}

bool scope_subset(const std::vector<std::string>& requested, const std::vector<std::string>& allowed) {
    for (const auto& s : requested) {
        if (!has(allowed, s)) return false;
    }
    return true;
}

Response json_response(int status, const boost::json::object& body) {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(body);
    r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}, {"Pragma", "no-cache"}};
    return r;
}

}  // namespace detail
}  // namespace gk::issuer
