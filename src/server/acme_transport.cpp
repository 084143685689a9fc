#include "server/acme_transport.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "server/http_client.hpp"

namespace gk::server {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

std::string header(const client::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (iequals(k, name)) return v;
    return {};
}

}  // namespace

acme::Transport make_acme_transport(const std::string& ca_file) {
    HttpClientOptions options;
    options.cacert = ca_file;
    options.timeout = std::chrono::seconds(30);
    options.max_body = 1u << 20;  // a certificate chain is a few KiB
    // One transport per origin (the directory's URLs may name more than one).
    auto origins = std::make_shared<std::map<std::string, client::Transport>>();
    return [options, origins](const acme::HttpCall& call) -> Result<acme::HttpReply, std::string> {
        auto url = parse_http_url(call.url);
        if (!url) return fail("URL " + call.url + ": " + url.error());
        if (!url->tls) return fail("refusing a plain-http ACME URL: " + call.url);
        const std::string origin = url->host + ":" + std::to_string(url->port);
        auto it = origins->find(origin);
        if (it == origins->end()) {
            auto t = make_http_transport(*url, options);
            if (!t) return fail(t.error());
            it = origins->emplace(origin, std::move(*t)).first;
        }
        client::Request req;
        req.method = call.method;
        req.target = url->target;
        if (call.method == "POST") req.headers.emplace_back("Content-Type", "application/jose+json");
        if (!call.accept.empty()) req.headers.emplace_back("Accept", call.accept);
        req.body = call.body;
        auto res = it->second(req);
        if (!res) return fail(call.method + " " + call.url + ": " + res.error());
        acme::HttpReply out;
        out.status = res->status;
        out.location = header(*res, "Location");
        out.replay_nonce = header(*res, "Replay-Nonce");
        out.retry_after = header(*res, "Retry-After");
        out.body = std::move(res->body);
        return out;
    };
}

}  // namespace gk::server
