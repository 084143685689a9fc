#include "store/issuer_lists.hpp"

#include <algorithm>

namespace gk::store {

Result<std::string, issuer::StoreFailure> join_list(const std::vector<std::string>& items,
                                                    std::string_view what) {
    std::string out;
    for (const auto& item : items) {
        const bool bad = item.empty() || std::any_of(item.begin(), item.end(), [](char c) {
                             return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                         });
        if (bad) {
            return fail(issuer::StoreFailure{
                issuer::StoreFailure::Kind::invalid,
                std::string(what) + ": an item is empty or contains a control character"});
        }
        if (!out.empty()) out += '\n';
        out += item;
    }
    return out;
}

std::vector<std::string> split_list(std::string_view joined) {
    std::vector<std::string> out;
    while (!joined.empty()) {
        const auto nl = joined.find('\n');
        out.emplace_back(joined.substr(0, nl));
        joined.remove_prefix(nl == std::string_view::npos ? joined.size() : nl + 1);
    }
    return out;
}

Result<ClientRow, issuer::StoreFailure> client_row(const issuer::Client& c) {
    using Kind = issuer::StoreFailure::Kind;
    if (c.client_id.empty()) return fail(issuer::StoreFailure{Kind::invalid, "client without a client_id"});
    ClientRow row;
    row.what = "client '" + c.client_id + "'";
    if (c.access_token_ttl < 0)
        return fail(issuer::StoreFailure{Kind::invalid, row.what + ": negative access_token_ttl"});
    auto uris = join_list(c.redirect_uris, row.what + " redirect_uris");
    if (!uris) return fail(uris.error());
    auto scopes = join_list(c.scopes, row.what + " scopes");
    if (!scopes) return fail(scopes.error());
    auto grants = join_list(c.grant_types, row.what + " grant_types");
    if (!grants) return fail(grants.error());
    row.redirect_uris = std::move(*uris);
    row.scopes = std::move(*scopes);
    row.grant_types = std::move(*grants);
    return row;
}

}  // namespace gk::store
