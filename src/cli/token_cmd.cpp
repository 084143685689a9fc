// gatekeeper token mint: signs a JWT access token, for operators and tests.
// With --state it signs for a running demo: its key, issuer and audience, and
// the user's groups and email from the demo's user database.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "cli/cli_audit.hpp"
#include "cli/commands.hpp"
#include "cli/demo_keys.hpp"
#include "gatekeeper/config/config.hpp"
#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "store/user_admin.hpp"
#include "store/user_sources.hpp"

namespace gk::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct MintArgs {
    std::string state;
    std::string key_file;
    std::string alg;
    std::string iss;
    std::vector<std::string> aud;
    std::string sub;
    std::string scope;
    std::vector<std::string> groups;
    std::string email;
    long long ttl = 300;
    std::vector<std::string> claims;  // name=value (value parsed as JSON when it is JSON)
    std::string typ = "at+jwt";
    std::string kid;
    std::string audit_log;  // the demo's, with --state
};

crypto::SigAlg default_alg(const crypto::Key& key) {
    switch (key.type()) {
        case crypto::KeyType::rsa: return crypto::SigAlg::rs256;
        case crypto::KeyType::ed25519: return crypto::SigAlg::eddsa;
        case crypto::KeyType::oct: return crypto::SigAlg::hs256;
        case crypto::KeyType::ec: break;
    }
    switch (key.curve()) {
        case crypto::Curve::p384: return crypto::SigAlg::es384;
        case crypto::Curve::p521: return crypto::SigAlg::es512;
        default: return crypto::SigAlg::es256;
    }
}

// The demo's issuer and audience, from the config it wrote into its state folder.
void fill_from_demo(MintArgs& a) {
    const fs::path dir = fs::absolute(a.state);
    const auto config = dir / "gatekeeper.yaml";
    auto policy = config::load_policy_file(config.string());
    if (!policy)
        throw std::runtime_error(config.string() + " is not a usable demo config (start `gatekeeper demo --state " +
                                 a.state + "` once first)");
    const auto* issuer = policy->issuer(kDemoIssuerName);
    if (!issuer) throw std::runtime_error(config.string() + " has no issuer '" + kDemoIssuerName + "'");
    a.audit_log = policy->audit_log;
    if (a.iss.empty()) a.iss = issuer->issuer;
    if (a.aud.empty()) a.aud = issuer->audiences;
    if (a.key_file.empty()) a.key_file = (dir / kDemoSigningKey).string();
    if (a.sub.empty() || !a.groups.empty()) return;
    auto db = store::source_from_policy(*policy, "demo");
    if (!db) return;
    auto users = store::admin_list(*db);
    if (!users) return;
    for (const auto& u : *users)
        if (u.name == a.sub) {
            a.groups = u.groups;
            if (a.email.empty()) a.email = u.email;
        }
}

json::value claim_value(const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return json::value(text);  // not JSON: a plain string
    return v;
}

int mint(MintArgs a) {
    if (!a.state.empty()) fill_from_demo(a);
    if (a.key_file.empty()) throw std::runtime_error("give --key FILE (JWK or PEM private key) or --state DIR");
    if (a.iss.empty()) throw std::runtime_error("give --iss (the issuer the gateway trusts)");
    if (a.ttl <= 0) throw std::runtime_error("--ttl must be positive (seconds)");
    const auto jwk = read_signing_key(a.key_file);
    if (!jwk.key.has_private()) throw std::runtime_error(a.key_file + " holds no private key");
    crypto::SigAlg alg = jwk.alg ? *jwk.alg : default_alg(jwk.key);
    if (!a.alg.empty()) {
        auto named = crypto::sig_alg_from_jose_name(a.alg);
        if (!named) throw std::runtime_error("unknown algorithm '" + a.alg + "'");
        alg = *named;
    }
    if (!crypto::key_fits(alg, jwk.key))
        throw std::runtime_error(std::string("the key cannot sign ") + crypto::jose_name(alg));

    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    json::object c;
    c["iss"] = a.iss;
    if (!a.sub.empty()) c["sub"] = a.sub;
    if (a.aud.size() == 1) c["aud"] = a.aud.front();
    else if (!a.aud.empty()) {
        json::array arr;
        for (const auto& x : a.aud) arr.emplace_back(x);
        c["aud"] = std::move(arr);
    }
    c["iat"] = now;
    c["nbf"] = now;
    c["exp"] = now + a.ttl;
    c["jti"] = httpauth::base64url_encode(crypto::random_bytes(16));
    if (!a.scope.empty()) c["scope"] = a.scope;
    if (!a.groups.empty()) {
        json::array arr;
        for (const auto& g : a.groups) arr.emplace_back(g);
        c["groups"] = std::move(arr);
    }
    if (!a.email.empty()) c["email"] = a.email;
    for (const auto& kv : a.claims) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw std::runtime_error("--claim wants name=value, got '" + kv + "'");
        c[kv.substr(0, eq)] = claim_value(kv.substr(eq + 1));
    }
    jose::SignOptions opts;
    opts.kid = a.kid.empty() ? jwk.kid : a.kid;
    opts.typ = a.typ;
    auto token = jose::sign_jws(alg, jwk.key, json::serialize(c), opts);
    if (!token) throw std::runtime_error(std::string("signing failed: ") + jose::to_string(token.error()));
    record_cli_event({a.audit_log, {}}, "token.minted",
                     {{"user", a.sub}, {"iss", a.iss}, {"jti", c["jti"].as_string()}, {"kid", opts.kid}});
    std::printf("%s\n", token->c_str());
    return 0;
}

}  // namespace

void add_token_command(CLI::App& app) {
    auto* token = app.add_subcommand("token", "Work with JWT access tokens");
    token->require_subcommand(1);
    auto* cmd = token->add_subcommand("mint", "Sign an access token (JWT) and print it");
    auto a = std::make_shared<MintArgs>();
    cmd->add_option("--state", a->state, "A demo's state folder: sign with its key, for its issuer and audience");
    cmd->add_option("--key", a->key_file, "Private signing key: a JWK (JSON) or PEM file");
    cmd->add_option("--alg", a->alg, "JWS algorithm (default: from the key, e.g. ES256 for a P-256 key)");
    cmd->add_option("--iss", a->iss, "Issuer (iss)");
    cmd->add_option("--aud", a->aud, "Audience (aud); repeat for several");
    cmd->add_option("--sub", a->sub, "Subject (sub): the user");
    cmd->add_option("--scope", a->scope, "Space-separated scopes, e.g. \"read write\"");
    cmd->add_option("--group", a->groups, "A group (groups claim); repeat for several");
    cmd->add_option("--email", a->email, "Email claim");
    cmd->add_option("--ttl", a->ttl, "Lifetime in seconds")->capture_default_str();
    cmd->add_option("--claim", a->claims, "Extra claim name=value (value is JSON if it parses, else a string)");
    cmd->add_option("--typ", a->typ, "JWS typ header")->capture_default_str();
    cmd->add_option("--kid", a->kid, "Key id (default: the key's own kid)");
    cmd->callback([a] {
        const int rc = mint(*a);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace gk::cli
