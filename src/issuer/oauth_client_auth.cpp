// Client authentication at the token, revocation and introspection endpoints
// (RFC 6749 2.3.1): client_secret_basic, client_secret_post, or none for a
// public client. Unknown clients cost one dummy password check (Caddy's
// fakePassword), and every failure reads the same.
#include <cctype>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/password/hash.hpp"
#include "issuer/oauth_internal.hpp"

namespace gk::issuer {
namespace {

struct Presented {
    std::string id;
    std::optional<std::string> secret;  // nullopt: none presented
    bool basic = false;
};

OAuthError invalid_client(bool basic) {
    OAuthError e{OAuthErrorCode::invalid_client, "client authentication failed", basic};
    return e;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// "Basic" 1*SP token68, whose decoding is urlencode(id) ":" urlencode(secret).
std::optional<Presented> parse_basic(std::string_view header) {
    const std::size_t sp = header.find(' ');
    if (sp == std::string_view::npos || !iequals(header.substr(0, sp), "Basic")) return std::nullopt;
    std::string_view token = header.substr(sp);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    auto decoded = httpauth::base64_decode(token);
    if (!decoded) return std::nullopt;
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    auto id = httpauth::form_decode(std::string_view(*decoded).substr(0, colon));
    auto secret = httpauth::form_decode(std::string_view(*decoded).substr(colon + 1));
    if (!id || !secret || id->empty()) return std::nullopt;
    return Presented{std::move(*id), std::move(*secret), true};
}

}  // namespace

Result<AuthenticatedClient, OAuthError> authenticate_client(const Form& params,
                                                            std::optional<std::string_view> authorization,
                                                            const IssuerStore& store,
                                                            const SecretCheck& check_secret) {
    using detail::oauth_error;
    if (auto dup = detail::duplicate_parameter(params)) {
        return fail(oauth_error(OAuthErrorCode::invalid_request, "parameter '" + *dup + "' repeated"));
    }
    const auto body_id = detail::param(params, "client_id");
    const auto body_secret = params.first("client_secret");  // present even if empty: a secret was sent
    Presented p;
    if (authorization) {
        auto basic = parse_basic(*authorization);
        if (!basic) return fail(invalid_client(true));
        if (body_secret) {
            return fail(
                oauth_error(OAuthErrorCode::invalid_request, "use one client authentication method only"));
        }
        if (body_id && *body_id != basic->id) {
            return fail(oauth_error(OAuthErrorCode::invalid_request,
                                    "client_id differs from the Authorization header"));
        }
        p = std::move(*basic);
    } else {
        if (!body_id) return fail(invalid_client(false));
        p.id = std::string(*body_id);
        if (body_secret) p.secret = std::string(*body_secret);
    }

    auto found = store.find_client(p.id);
    if (!found) return fail(detail::store_error());
    if (!*found) {
        if (p.secret)
            (void)password::verify(password::dummy_hash(), *p.secret);  // same cost as a real client
        return fail(invalid_client(p.basic));
    }
    Client& client = **found;
    AuthenticatedClient out;
    if (client.secret_hash.empty()) {
        // Public client: identified, not authenticated. Basic with an empty
        // secret is accepted (some libraries always send the header).
        if (p.secret && !p.secret->empty()) return fail(invalid_client(p.basic));
        out.method = ClientAuthMethod::none;
    } else {
        if (!p.secret || p.secret->empty()) return fail(invalid_client(p.basic));
        bool ok = false;
        if (check_secret) {
            ok = check_secret(client.client_id, client.secret_hash, *p.secret);
        } else {
            auto r = password::verify(client.secret_hash, *p.secret);
            ok = r && *r;
        }
        if (!ok) return fail(invalid_client(p.basic));
        out.method = p.basic ? ClientAuthMethod::client_secret_basic : ClientAuthMethod::client_secret_post;
    }
    out.client = std::move(client);
    return out;
}

}  // namespace gk::issuer
