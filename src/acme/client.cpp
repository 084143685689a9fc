// The ACME order flow (RFC 8555 section 7), one step per member function.
// Every loop is bounded: badNonce retries, polls per resource.
#include "gatekeeper/acme/client.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "gatekeeper/acme/request.hpp"
#include "gatekeeper/httpauth/base64.hpp"

namespace gk::acme {
namespace {

AcmeError protocol(std::string what) { return AcmeError{"protocol", std::move(what), 0, {}}; }

// Tokens end up in a URL path we serve: base64url characters only (section 8.3).
bool is_token(std::string_view t) {
    return t.size() >= 16 && t.size() <= 256 && std::all_of(t.begin(), t.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
           });
}

}  // namespace

Client::Client(Transport transport, Wait wait, crypto::Key account_key, ClientOptions options)
    : transport_(std::move(transport)), wait_(std::move(wait)), key_(std::move(account_key)), options_(std::move(options)) {}

Result<Ok, AcmeError> Client::load_directory() {
    if (directory_) return Ok{};
    auto reply = transport_(HttpCall{"GET", options_.directory_url, "", "application/json"});
    if (!reply) return fail(AcmeError{"transport", "directory: " + reply.error(), 0, {}});
    if (reply->status != 200) {
        auto e = parse_problem(reply->status, reply->body);
        e.detail = "directory " + options_.directory_url + ": " + e.detail;
        return fail(std::move(e));
    }
    auto d = parse_directory(reply->body);
    if (!d) return fail(d.error());
    directory_ = std::move(*d);
    return Ok{};
}

Result<Ok, AcmeError> Client::fresh_nonce() {
    if (auto d = load_directory(); !d) return d;
    auto reply = transport_(HttpCall{"HEAD", directory_->new_nonce, "", ""});
    if (!reply) return fail(AcmeError{"transport", "newNonce: " + reply.error(), 0, {}});
    if (reply->replay_nonce.empty()) return fail(protocol("newNonce answered HTTP " + std::to_string(reply->status) +
                                                          " without a Replay-Nonce"));
    nonce_ = reply->replay_nonce;
    return Ok{};
}

Result<HttpReply, AcmeError> Client::post(const std::string& url, const std::string& payload, const std::string& accept) {
    for (int attempt = 0;; ++attempt) {
        if (nonce_.empty())
            if (auto n = fresh_nonce(); !n) return fail(n.error());
        auto body = signed_request(key_, account_url_, nonce_, url, payload);
        nonce_.clear();  // a nonce is good for one request only
        if (!body) return fail(body.error());
        auto reply = transport_(HttpCall{"POST", url, std::move(*body), accept});
        if (!reply) return fail(AcmeError{"transport", reply.error(), 0, {}});
        if (!reply->replay_nonce.empty()) nonce_ = reply->replay_nonce;
        if (reply->status < 400) return std::move(*reply);
        auto e = parse_problem(reply->status, reply->body);
        // Section 6.5: a badNonce error carries a fresh nonce; try again with it.
        if (e.is("badNonce") && attempt < options_.max_bad_nonce_retries) continue;
        return fail(std::move(e));
    }
}

Result<Ok, AcmeError> Client::ensure_account() {
    if (!account_url_.empty()) return Ok{};
    if (auto d = load_directory(); !d) return d;
    boost::json::object payload;
    payload["termsOfServiceAgreed"] = true;
    if (!options_.email.empty()) payload["contact"] = boost::json::array{"mailto:" + options_.email};
    auto reply = post(directory_->new_account, boost::json::serialize(payload));
    if (!reply) return fail(reply.error());
    if (reply->status != 200 && reply->status != 201)
        return fail(protocol("newAccount answered HTTP " + std::to_string(reply->status)));
    if (reply->location.empty()) return fail(protocol("newAccount gave no account URL (Location)"));
    auto status = parse_account_status(reply->body);
    if (!status) return fail(status.error());
    if (!status->empty() && *status != "valid") return fail(protocol("the ACME account is " + *status));
    account_url_ = reply->location;
    return Ok{};
}

bool Client::wait_after(const HttpReply& reply) {
    auto delay = options_.default_poll;
    if (auto s = parse_retry_after(reply.retry_after)) delay = std::chrono::seconds(*s);
    delay = std::clamp(delay, std::chrono::seconds(1), std::max(options_.max_poll, std::chrono::seconds(1)));
    return wait_(delay);
}

Result<Ok, AcmeError> Client::authorize(const std::string& authz_url, const ChallengeBoard& board) {
    auto reply = post(authz_url, "");
    if (!reply) return fail(reply.error());
    auto authz = parse_authorization(reply->body);
    if (!authz) return fail(authz.error());
    const std::string name = authz->identifier;
    if (authz->status == "valid") return Ok{};
    if (authz->status != "pending") return fail(protocol("the authorization for " + name + " is " + authz->status));
    const std::string type(challenge_name(board.type));
    const auto ch = std::find_if(authz->challenges.begin(), authz->challenges.end(),
                                 [&](const Challenge& c) { return c.type == type; });
    if (ch == authz->challenges.end()) return fail(protocol("the CA offers no " + type + " challenge for " + name));
    if (!is_token(ch->token)) return fail(protocol("the " + type + " token for " + name + " is not base64url"));
    // The validation certificate names the identifier (RFC 8737 section 3).
    if (board.type == ChallengeType::tls_alpn01 && name.empty())
        return fail(protocol("a tls-alpn-01 authorization without an identifier"));
    const PendingChallenge pending{name, ch->token, key_authorization(ch->token, key_)};
    const std::string challenge_url = ch->url;
    if (auto shown = board.put(pending); !shown) return fail(shown.error());
    struct Withdraw {
        const ChallengeBoard& b;
        const PendingChallenge& p;
        ~Withdraw() { b.remove(p); }
    } withdraw{board, pending};

    // Section 7.5.1: an empty object says "ready, validate now".
    auto answered = post(challenge_url, "{}");
    if (!answered) return fail(answered.error());
    HttpReply last = std::move(*answered);
    for (int i = 0; i < options_.max_polls; ++i) {
        if (!wait_after(last)) return fail(AcmeError{"stopped", "shutting down", 0, {}});
        auto again = post(authz_url, "");
        if (!again) return fail(again.error());
        auto a = parse_authorization(again->body);
        if (!a) return fail(a.error());
        if (a->status == "valid") return Ok{};
        if (a->status != "pending") {
            for (const auto& c : a->challenges)
                if (c.type == type && c.error) {
                    AcmeError e = *c.error;
                    e.detail = type + " for " + name + ": " + e.detail;
                    return fail(std::move(e));
                }
            return fail(protocol("the authorization for " + name + " is " + a->status));
        }
        last = std::move(*again);
    }
    return fail(protocol("the authorization for " + name + " is still pending after " +
                         std::to_string(options_.max_polls) + " polls"));
}

Result<Order, AcmeError> Client::poll_order(const std::string& order_url, Order order) {
    HttpReply last;
    for (int i = 0; i < options_.max_polls && (order.status == "pending" || order.status == "processing"); ++i) {
        if (!wait_after(last)) return fail(AcmeError{"stopped", "shutting down", 0, {}});
        auto reply = post(order_url, "");
        if (!reply) return fail(reply.error());
        auto o = parse_order(reply->body);
        if (!o) return fail(o.error());
        order = std::move(*o);
        last = std::move(*reply);
    }
    return order;
}

Result<std::string, AcmeError> Client::obtain(const std::vector<std::string>& hosts, const crypto::Key& cert_key,
                                              const ChallengeBoard& board) {
    if (hosts.empty()) return fail(protocol("no host names to certify"));
    if (auto a = ensure_account(); !a) return fail(a.error());
    boost::json::array ids;
    for (const auto& h : hosts) ids.push_back(boost::json::object{{"type", "dns"}, {"value", h}});
    auto created = post(directory_->new_order, boost::json::serialize(boost::json::object{{"identifiers", ids}}));
    if (!created) return fail(created.error());
    if (created->location.empty()) return fail(protocol("newOrder gave no order URL (Location)"));
    const std::string order_url = created->location;
    auto order = parse_order(created->body);
    if (!order) return fail(order.error());

    for (const auto& authz : order->authorizations)
        if (auto r = authorize(authz, board); !r) return fail(r.error());

    auto ready = poll_order(order_url, std::move(*order));
    if (!ready) return fail(ready.error());
    if (ready->status == "ready") {
        auto csr = make_csr(cert_key, hosts);
        if (!csr) return fail(csr.error());
        auto finalized = post(ready->finalize, boost::json::serialize(
                                                   boost::json::object{{"csr", httpauth::base64url_encode(*csr)}}));
        if (!finalized) return fail(finalized.error());
        auto o = parse_order(finalized->body);
        if (!o) return fail(o.error());
        ready = poll_order(order_url, std::move(*o));
        if (!ready) return fail(ready.error());
    }
    if (ready->status != "valid") {
        if (ready->error) return fail(*ready->error);
        return fail(protocol("the order is " + ready->status));
    }
    if (ready->certificate.empty()) return fail(protocol("the valid order names no certificate URL"));
    auto cert = post(ready->certificate, "", "application/pem-certificate-chain");
    if (!cert) return fail(cert.error());
    if (cert->status != 200 || !cert->body.starts_with("-----BEGIN CERTIFICATE-----"))
        return fail(protocol("the certificate download is not a PEM chain (HTTP " + std::to_string(cert->status) + ")"));
    return std::move(cert->body);
}

}  // namespace gk::acme
