#include "server/transport_guard.hpp"

#include <spdlog/spdlog.h>

#include "gatekeeper/gate/transport.hpp"
#include "server/acme_challenges.hpp"
#include "server/session.hpp"
#include "server/worker.hpp"

namespace gk::server {
namespace {

// RFC 9457 problem document with its own type: a client (or its developer)
// must learn that the credential is burnt, not merely that access failed.
string_response cleartext_refusal(const std::string& credential, unsigned version) {
    string_response res{http::status::forbidden, version};
    res.set(http::field::content_type, "application/problem+json");
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    res.body() =
        "{\"type\":\"tag:gatekeeper,2026:cleartext-credential\",\"title\":\"Credential sent over plain "
        "HTTP\","
        "\"status\":403,\"detail\":\"This request carried a credential (" +
        json_escape(credential) +
        ") over unencrypted HTTP, so it crossed the network in clear text and must be considered "
        "compromised: revoke or rotate it, then send the new one over https only. The request was not "
        "processed.\",\"credential\":\"" +
        json_escape(credential) + "\"}\n";
    res.prepare_payload();
    return res;
}

string_response https_redirect(const std::string& location, unsigned version) {
    // 308 keeps the method and body (RFC 9110 15.4.9), unlike 301/302.
    string_response res{http::status::permanent_redirect, version};
    res.set(http::field::location, location);
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "This server only answers over https.\n";
    res.prepare_payload();
    return res;
}

}  // namespace

std::string listener_name(const gate::Listener& l) {
    const bool v6 = l.address.find(':') != std::string::npos;
    return (v6 ? "[" + l.address + "]" : l.address) + ":" + std::to_string(l.port);
}

std::optional<string_response> transport_response(Worker& w, const gate::Policy& policy, const ConnInfo& info,
                                                  const gate::Request& req, unsigned version,
                                                  AccessRecord& log) {
    gate::TransportInput in;
    // A connection without its listener cannot happen; if it did, plain HTTP
    // would be treated as the strictest kind.
    in.listener = info.listener
                      ? gate::transport_of(*info.listener)
                      : (info.tls ? gate::ListenerTransport::tls : gate::ListenerTransport::redirect_plain);
    in.secure = req.secure;
    if (in.listener == gate::ListenerTransport::tls || in.secure)
        return std::nullopt;  // the common case, cheaply
    in.authority = req.authority;
    in.path = req.path;
    in.query = req.query;
    in.https_port = info.listener ? info.listener->redirect_port : 443;
    if (in.listener == gate::ListenerTransport::redirect_plain)
        in.credential = gate::carried_credential(policy, req);
    const auto v = gate::check_transport(in);
    const auto accept = req.get("Accept").value_or("");
    using Kind = gate::TransportVerdict::Kind;
    switch (v.kind) {
        case Kind::pass:
            return std::nullopt;
        case Kind::acme_challenge:
            if (!w.shared.acme_challenges) {
                log.route = "acme-challenge";
                return error_response(http::status::not_found, "No such challenge.", accept, version);
            }
            return acme_challenge_response(*w.shared.acme_challenges, req.method, req.path, version, log);
        case Kind::bad_host:
            log.route = "https-redirect";
            log.reason = "no usable Host to redirect to https";
            return error_response(
                http::status::bad_request,
                "This server only answers over https, and the request names no valid host to "
                "redirect to.",
                accept, version);
        case Kind::redirect:
            log.route = "https-redirect";
            return https_redirect(v.location, version);
        case Kind::refuse_credential: {
            const auto listener = info.listener ? listener_name(*info.listener) : std::string("?");
            log.route = "https-redirect";
            log.reason = "credential in clear text: " + v.credential;
            spdlog::warn(
                "listener {}: a request from {} carried {} over plain HTTP; refused without looking at it. "
                "The credential crossed the network in clear text: it must be rotated",
                listener, req.client_address, v.credential);
            if (w.shared.audit)
                w.shared.audit->record("credential.cleartext", {{"listener", listener},
                                                                {"client", req.client_address},
                                                                {"credential", v.credential},
                                                                {"path", req.path}});
            return cleartext_refusal(v.credential, version);
        }
    }
    return std::nullopt;
}

void add_hsts(string_response& res, const gate::Policy& policy, bool secure) {
    if (!secure || policy.hsts_header.empty()) return;
    if (res.find(http::field::strict_transport_security) != res.end()) return;
    res.set(http::field::strict_transport_security, policy.hsts_header);
}

void warn_about_plain_listeners(const gate::Policy& policy) {
    for (const auto& l : policy.listeners) {
        if (l.tls || !l.insecure) continue;
        if (l.loopback)
            spdlog::warn(
                "listener {}: 'insecure: true' changes nothing on a loopback address (plain HTTP is "
                "allowed there anyway)",
                listener_name(l));
        else
            spdlog::warn(
                "listener {} is insecure: it accepts passwords, tokens and session cookies over plain "
                "HTTP, readable by anyone on the network path (remove 'insecure: true' to redirect to "
                "https)",
                listener_name(l));
    }
}

}  // namespace gk::server
