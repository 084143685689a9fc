#include "server/proxy.hpp"

#include "gatekeeper/schemes/bearer.hpp"

namespace gk::server {

void prepare_upstream_request(ProxyContext& ctx, http::request<http::buffer_body>& req, bool chunked) {
    const auto& policy = ctx.rt.policy;
    // Values a trusted front proxy told us, read before the spoofable set goes.
    std::string prior_xff, prior_proto, prior_host;
    if (ctx.info.trusted) {
        prior_xff = std::string(req["X-Forwarded-For"]);
        prior_proto = std::string(req["X-Forwarded-Proto"]);
        prior_host = std::string(req["X-Forwarded-Host"]);
    }
    // For an absolute-form target its authority wins over Host (RFC 9112 3.2.2):
    // the upstream sees the host the rule was matched on (SECURITY.md P10).
    const std::string& host = ctx.greq.authority;
    if (!host.empty()) req.set(http::field::host, host);

    // Order matters: the Connection header of the INBOUND message is applied
    // first, so it can never name a header that gatekeeper adds below.
    strip_hop_by_hop(req);
    strip_spoofable(req, policy.identity_headers);
    strip_own_cookies(req, policy.cookie_prefix);
    req.erase(http::field::expect);
    req.erase("X-Forwarded-For");
    req.erase("X-Forwarded-Proto");
    req.erase("X-Forwarded-Host");
    // The credentials were for gatekeeper; the upstream gets the identity instead.
    if (ctx.decision.identity) req.erase(http::field::authorization);
    // An API key in its own header was for gatekeeper too, like Authorization.
    if (ctx.decision.route && !ctx.decision.route->api_key_header.empty()) req.erase(ctx.decision.route->api_key_header);
    if (chunked) req.chunked(true);

    // Inserted, not set: every earlier field of these names is gone above.
    if (prior_xff.empty()) {
        req.insert("X-Forwarded-For", ctx.info.peer_text);
    } else {
        prior_xff.append(", ").append(ctx.info.peer_text);
        req.insert("X-Forwarded-For", prior_xff);
    }
    if (!prior_proto.empty())
        req.insert("X-Forwarded-Proto", prior_proto);
    else
        req.insert("X-Forwarded-Proto", ctx.info.tls ? std::string_view("https") : std::string_view("http"));
    if (!prior_host.empty())
        req.insert("X-Forwarded-Host", prior_host);
    else if (!host.empty())
        req.insert("X-Forwarded-Host", host);
    if (ctx.decision.identity) set_identity_headers(req, *ctx.decision.identity, policy.identity_headers);

    // A query token was for gatekeeper (RFC 6750 2.3), like an Authorization header.
    const bool query_token = ctx.decision.route && ctx.decision.route->bearer_query_token &&
                             ctx.greq.query.find("access_token") != std::string::npos;
    const std::string stripped = query_token ? schemes::strip_access_token(ctx.greq.query) : std::string();
    const std::string& query = query_token ? stripped : ctx.greq.query;
    std::string target;
    target.reserve(ctx.up.base_path.size() + ctx.greq.path.size() + 1 + query.size());
    target.append(ctx.up.base_path).append(ctx.greq.path);
    if (!query.empty()) target.append("?").append(query);
    req.target(target);
    req.version(11);
    req.keep_alive(true);
}

void prepare_client_response(http::response<http::buffer_body>& res, bool chunked, bool head_only,
                             unsigned client_version, bool client_keep_alive) {
    const bool had_length = res.has_content_length();
    strip_hop_by_hop(res);
    res.version(client_version == 10 ? 10 : 11);
    bool keep = client_keep_alive;
    if (!head_only && !had_length) {
        if (client_version == 11) res.chunked(true);  // re-frame close-delimited or chunked bodies
        else keep = false;                            // HTTP/1.0: delimit by closing
    }
    (void)chunked;
    res.keep_alive(keep);
}

}  // namespace gk::server
