#pragma once
// A scripted ACME CA for the client tests: answers by URL like pebble would,
// records every call, checks each POST's protected header (alg, nonce, url,
// jwk xor kid), and can be told to fail in the ways a real CA does.
#include <boost/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "gatekeeper/acme/client.hpp"
#include "gatekeeper/httpauth/base64.hpp"

namespace gk::acme::test {

inline constexpr const char* kDir = "https://ca.test/dir";

struct FakeCa {
    // Knobs.
    int bad_nonces = 0;                 // reject this many POSTs with badNonce first
    int authz_pending_polls = 1;        // authz polls answered "pending" before "valid"
    bool challenge_fails = false;       // the authorization turns invalid with a problem
    bool order_processing_once = true;  // finalize answers "processing" first
    std::string token = "tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ";       // http-01
    std::string alpn_token = "alpn_ABCDEFGHIJKLMNOPQRSTUVWXYZ";  // tls-alpn-01

    // Observations.
    std::vector<HttpCall> calls;
    std::vector<std::string> header_errors;
    int nonce_counter = 0;
    int authz_polls = 0;
    bool challenge_answered = false;
    std::string answered_type;  // which challenge the client said it was ready for
    std::string csr_b64;
    std::map<std::string, std::string> used_nonces;

    HttpReply reply(unsigned status, std::string body, std::string location = {}) {
        HttpReply r;
        r.status = status;
        r.body = std::move(body);
        r.location = std::move(location);
        r.replay_nonce = "nonce" + std::to_string(++nonce_counter);
        return r;
    }

    void check_header(const HttpCall& c, boost::json::object& payload_out) {
        auto jws = boost::json::parse(c.body).as_object();
        auto header_json = httpauth::base64url_decode(std::string(jws["protected"].as_string()));
        auto payload = httpauth::base64url_decode(std::string(jws["payload"].as_string()));
        auto h = boost::json::parse(*header_json).as_object();
        if (h["alg"] != "ES256") header_errors.push_back("alg");
        if (h["url"] != c.url.c_str()) header_errors.push_back("url " + c.url);
        const bool has_jwk = h.contains("jwk"), has_kid = h.contains("kid");
        if (has_jwk == has_kid) header_errors.push_back("jwk xor kid");
        if (c.url.ends_with("new-acct") != has_jwk) header_errors.push_back("jwk only for newAccount");
        const std::string nonce(h["nonce"].as_string());
        if (used_nonces.count(nonce)) header_errors.push_back("nonce reused " + nonce);
        used_nonces[nonce] = c.url;
        if (!payload->empty()) payload_out = boost::json::parse(*payload).as_object();
    }

    Result<HttpReply, std::string> operator()(const HttpCall& c) {
        calls.push_back(c);
        if (c.url == kDir)
            return reply(200, R"({"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/new-acct",)"
                              R"("newOrder":"https://ca.test/new-order","meta":{"termsOfService":"https://ca.test/tos"}})");
        if (c.url == "https://ca.test/nonce") return reply(200, "");
        boost::json::object payload;
        check_header(c, payload);
        if (bad_nonces > 0) {
            --bad_nonces;
            return reply(400, R"({"type":"urn:ietf:params:acme:error:badNonce","detail":"JWS has an invalid anti-replay nonce"})");
        }
        if (c.url == "https://ca.test/new-acct") {
            if (!payload["termsOfServiceAgreed"].as_bool()) return reply(400, "{}");
            return reply(201, R"({"status":"valid"})", "https://ca.test/acct/1");
        }
        if (c.url == "https://ca.test/new-order") return reply(201, order("pending"), "https://ca.test/order/1");
        if (c.url == "https://ca.test/authz/1") {
            if (challenge_answered) ++authz_polls;
            std::string status = "pending";
            std::string err;
            if (challenge_answered && authz_polls > authz_pending_polls) status = challenge_fails ? "invalid" : "valid";
            if (status == "invalid")
                err = R"(,"error":{"type":"urn:ietf:params:acme:error:connection","detail":"connection refused"})";
            // The problem sits on the challenge the client answered, as pebble does.
            auto challenge = [&](const char* type, const char* url, const std::string& tok) {
                const bool mine = answered_type == type;
                return std::string(R"({"type":")") + type + R"(","url":")" + url + R"(","token":")" + tok +
                       R"(","status":")" + (mine ? status : std::string("pending")) + "\"" + (mine ? err : "") + "}";
            };
            return reply(200, R"({"status":")" + status + R"(","identifier":{"type":"dns","value":"gk.test"},)"
                              R"("challenges":[{"type":"dns-01","url":"https://ca.test/chal/dns","token":"x","status":"pending"},)" +
                              challenge("http-01", "https://ca.test/chal/1", token) + "," +
                              challenge("tls-alpn-01", "https://ca.test/chal/2", alpn_token) + "]}");
        }
        if (c.url == "https://ca.test/chal/1" || c.url == "https://ca.test/chal/2") {
            challenge_answered = true;
            answered_type = c.url.ends_with("/1") ? "http-01" : "tls-alpn-01";
            return reply(200, R"({"type":")" + answered_type + R"(","status":"processing","token":")" +
                                  (c.url.ends_with("/1") ? token : alpn_token) + "\"}");
        }
        if (c.url == "https://ca.test/finalize/1") {
            csr_b64 = std::string(payload["csr"].as_string());
            return reply(200, order(order_processing_once ? "processing" : "valid"));
        }
        if (c.url == "https://ca.test/order/1") {
            if (!csr_b64.empty()) return reply(200, order("valid"));
            return reply(200, order(authz_polls > authz_pending_polls ? "ready" : "pending"));
        }
        if (c.url == "https://ca.test/cert/1")
            return reply(200, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        return reply(404, R"({"type":"urn:ietf:params:acme:error:malformed","detail":"no such resource"})");
    }

    static std::string order(const std::string& status) {
        std::string o = R"({"status":")" + status + R"(","authorizations":["https://ca.test/authz/1"],)"
                        R"("finalize":"https://ca.test/finalize/1")";
        if (status == "valid") o += R"(,"certificate":"https://ca.test/cert/1")";
        return o + "}";
    }
};

}  // namespace gk::acme::test
