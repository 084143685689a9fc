// The Bearer path of the gate on arbitrary bytes: as the Authorization value
// and as the query string of a request to a Bearer route with real keys.
// Properties:
// - nothing random ever passes (allow would mean a forged signature);
// - the verdict is one RFC 6750 names: 400 invalid_request or 401 (with
//   invalid_token when a token was presented), never a crash or a 5xx;
// - every challenge formats and re-parses to one Bearer challenge;
// - a stripped query holds no access_token parameter, and a query token that
//   is returned as usable is a b64token.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/bearer.hpp"

namespace {

using namespace gk;

class Keys final : public gate::KeySource {
public:
    Keys() {
        jose::Jwk k;
        k.key = crypto::Key::generate_ec(crypto::Curve::p256);
        k.kid = "k1";
        set = std::make_shared<jose::JwkSet>(std::vector<jose::Jwk>{k});
    }
    std::shared_ptr<const jose::JwkSet> keys() const override { return set; }
    void on_unknown_kid(std::string_view) override {}
    std::string problem() const override { return {}; }
    std::shared_ptr<const jose::JwkSet> set;
};

struct World {
    World() : cache(64, std::chrono::seconds(60)) {
        gate::BearerIssuer is;
        is.name = "corp";
        is.issuer = "https://id.example.test/";
        policy.issuers.push_back(is);
        gate::Route r;
        r.name = "api";
        r.path = gate::PathMatch{gate::PathMatchKind::prefix, "/", nullptr};
        r.schemes = {gate::SchemeKind::bearer};
        r.realm = "api";
        r.bearer_query_token = true;
        policy.routes.push_back(r);
        sources["corp"] = std::make_shared<Keys>();
    }
    gate::Policy policy;
    gate::Directories dirs;
    gate::KeySources sources;
    gate::TokenCache cache;
};

void check(const gate::Decision& d, bool presented) {
    using gate::Verdict;
    if (d.verdict != Verdict::challenge && d.verdict != Verdict::bad_request) __builtin_trap();
    if (d.challenges.size() != 1) __builtin_trap();
    auto again = httpauth::parse_challenges(httpauth::format_challenge(d.challenges[0]));
    if (!again.ok() || again.value().size() != 1 || again.value()[0].scheme != "Bearer") __builtin_trap();
    const auto* err = again.value()[0].param("error");
    if (d.verdict == Verdict::bad_request && (!err || err->value != "invalid_request")) __builtin_trap();
    if (d.verdict == Verdict::challenge && presented && (!err || err->value != "invalid_token")) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static World w;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    gate::SchemeContext ctx;
    ctx.key_sources = &w.sources;
    ctx.token_cache = &w.cache;
    ctx.now = std::chrono::system_clock::now();

    gate::Request req;
    req.method = "GET";
    req.path = "/x";
    req.target = "/x";
    req.headers.push_back({"Authorization", "Bearer " + std::string(text)});
    auto ev = gate::evaluate(w.policy, req, w.dirs, ctx);
    if (!ev.decision) __builtin_trap();
    check(*ev.decision, true);

    gate::Request q;
    q.method = "GET";
    q.path = "/x";
    q.query = std::string(text);
    q.target = "/x?" + q.query;
    auto qev = gate::evaluate(w.policy, q, w.dirs, ctx);
    if (!qev.decision) __builtin_trap();
    const auto qt = schemes::query_access_token(q.query);
    check(*qev.decision, qt.has_value());

    const std::string stripped = schemes::strip_access_token(text);
    if (schemes::query_access_token(stripped).has_value()) __builtin_trap();
    if (qt && !qt->malformed && !qt->duplicate) {
        auto creds = httpauth::parse_credentials("Bearer " + qt->token);
        if (!creds.ok() || !schemes::bearer_token(creds.value()).ok()) __builtin_trap();
    }
    return 0;
}
