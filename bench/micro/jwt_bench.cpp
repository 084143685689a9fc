// What a JWT costs on top of the signature check it exists for, per JOSE
// algorithm, on one realistic access token (typ at+jwt, ~400 bytes of claims):
//   raw        EVP_MD_CTX_new + EVP_DigestVerifyInit (+ PSS settings) +
//              EVP_DigestVerify + free on the token's signing input, with the
//              very EVP_PKEY the key set holds (ES256: the signature already in
//              DER, converted once outside the loop: what a raw caller holds).
//              HS256: EVP_MAC fetched once; CTX_new + init + update + final +
//              CRYPTO_memcmp.
//   jws        jose::verify_jws on a pre-parsed Jws, key set of 3 keys of the
//              same type, the right one picked by kid.
//   jwt        jose::verify_jwt on the compact token: parse (base64url, strict
//              JSON header), typ, signature, claims parse and validation
//              (issuer, audience, leeway).
//   gate       ES256 only: gate::evaluate for a Bearer request on a route, with
//              no token cache (full verify) and with a cache primed with the token.
// After the runs, main() prints the ratios (medians when --benchmark_repetitions
// is given, else the single run). Target: jwt/raw <= 1.15 for ES256, RS256, EdDSA.
//   taskset -c 1 jwt_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// On a shared machine add --benchmark_enable_random_interleaving=true, so that a
// burst of other load spreads over every benchmark instead of skewing one ratio.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "raw_openssl.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/jose/jwk.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "gatekeeper/jose/jwt.hpp"

namespace {

using gk::bench::raw_digest_verify;
using gk::bench::raw_hmac_verify;
using gk::bench::to_der;

namespace json = boost::json;
using gk::crypto::Curve;
using gk::crypto::Key;
using gk::crypto::SigAlg;
using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::int64_t kNowS = 1'800'000'000;
const std::string kIssuer = "https://id.example.test/realms/corp";

// A Keycloak-like access token payload.
std::string claims_json() {
    json::object c;
    c["iss"] = kIssuer;
    c["sub"] = "5f0c2f6e-3b7a-4c1e-9d2a-8b1f0e7c6d54";
    c["aud"] = json::array{"api", "account"};
    c["exp"] = kNowS + 300;
    c["iat"] = kNowS - 10;
    c["nbf"] = kNowS - 10;
    c["jti"] = "b3c1e2d4-7f8a-4b9c-a0d1-e2f3a4b5c6d7";
    c["azp"] = "web-frontend";
    c["scope"] = "openid profile email read write";
    c["email"] = "alice@example.com";
    c["preferred_username"] = "alice";
    c["realm_access"] = json::object{{"roles", json::array{"admins", "staff", "offline_access"}}};
    return json::serialize(c);
}

Key new_key(SigAlg alg) {
    switch (alg) {
        case SigAlg::es256:
            return Key::generate_ec(Curve::p256);
        case SigAlg::rs256:
        case SigAlg::ps256:
            return Key::generate_rsa(2048);
        case SigAlg::eddsa:
            return Key::generate_ed25519();
        default:
            return Key::generate_hmac(32);
    }
}

// The public half, as a key set fetched from a JWKS URL would hold it.
Key public_of(const Key& k) {
    if (k.type() == gk::crypto::KeyType::oct) return k;
    auto p = Key::from_pem(k.public_pem());
    if (!p) throw std::runtime_error("public_pem round trip failed");
    return std::move(*p);
}

struct Fixture {
    SigAlg alg{};
    gk::jose::JwkSet set;          // 3 keys, kids k0 k1 k2; the token is signed by k1
    const Key* verify_key = nullptr;
    std::string token;
    gk::jose::Jws jws;             // token, pre-parsed
    std::string raw_sig;           // what OpenSSL verifies (DER for ECDSA)
    gk::jose::JwtRules rules;
};

const Fixture& fixture(SigAlg alg) {
    static std::map<SigAlg, std::unique_ptr<Fixture>> all;
    auto& slot = all[alg];
    if (slot) return *slot;
    auto f = std::make_unique<Fixture>();
    f->alg = alg;
    std::vector<gk::jose::Jwk> keys;
    Key signer;
    for (int i = 0; i < 3; ++i) {
        Key k = new_key(alg);
        if (i == 1) signer = k;
        gk::jose::Jwk j;
        j.key = public_of(k);
        j.kid = "k" + std::to_string(i);
        j.use = "sig";
        j.alg = alg;
        keys.push_back(std::move(j));
    }
    f->set = gk::jose::JwkSet(std::move(keys));
    f->verify_key = &f->set.keys()[1].key;

    gk::jose::SignOptions o;
    o.kid = "k1";
    o.typ = "at+jwt";
    auto tok = gk::jose::sign_jws(alg, signer, claims_json(), o);
    if (!tok) throw std::runtime_error("sign_jws failed");
    f->token = std::move(*tok);
    auto parsed = gk::jose::parse_jws(f->token);
    if (!parsed) throw std::runtime_error("parse_jws failed");
    f->jws = std::move(*parsed);
    f->raw_sig = alg == SigAlg::es256 ? to_der(f->jws.signature) : f->jws.signature;

    f->rules.algorithms = {alg};
    f->rules.typ = "at+jwt";
    f->rules.claims.issuer = kIssuer;
    f->rules.claims.audiences = {"api"};
    f->rules.claims.leeway = 60s;
    slot = std::move(f);
    return *slot;
}

void raw(benchmark::State& state, SigAlg alg) {
    const Fixture& f = fixture(alg);
    const std::string& data = f.jws.signing_input;
    for (auto _ : state) {
        const bool ok = alg == SigAlg::hs256 ? raw_hmac_verify(*f.verify_key, data, f.raw_sig)
                                             : raw_digest_verify(alg, f.verify_key->native(), data, f.raw_sig);
        if (!ok) state.SkipWithError("did not verify");
        benchmark::DoNotOptimize(ok);
    }
}

void jws(benchmark::State& state, SigAlg alg) {
    const Fixture& f = fixture(alg);
    for (auto _ : state) {
        auto r = gk::jose::verify_jws(f.jws, f.set, f.rules.algorithms);
        if (!r) state.SkipWithError("verify_jws failed");
        benchmark::DoNotOptimize(r);
    }
}

void jwt(benchmark::State& state, SigAlg alg) {
    const Fixture& f = fixture(alg);
    for (auto _ : state) {
        auto r = gk::jose::verify_jwt(f.token, f.set, f.rules, kNow);
        if (!r) state.SkipWithError(gk::jose::to_string(r.error()));
        benchmark::DoNotOptimize(r);
    }
}

// ---- The whole Bearer decision through gate::evaluate (ES256) ----

class FixedKeys final : public gk::gate::KeySource {
public:
    explicit FixedKeys(std::shared_ptr<const gk::jose::JwkSet> s) : set_(std::move(s)) {}
    std::shared_ptr<const gk::jose::JwkSet> keys() const override { return set_; }
    void on_unknown_kid(std::string_view) override {}
    std::string problem() const override { return ""; }

private:
    std::shared_ptr<const gk::jose::JwkSet> set_;
};

struct GateFixture {
    gk::gate::Policy policy;
    gk::gate::KeySources sources;
    gk::gate::Directories dirs;
    gk::gate::Request req;
    gk::gate::TokenCache cache{10000, 300s};

    GateFixture() {
        const Fixture& f = fixture(SigAlg::es256);
        gk::gate::BearerIssuer is;
        is.name = "corp";
        is.issuer = kIssuer;
        is.audiences = {"api"};
        is.algorithms = {SigAlg::es256};
        is.typ = "at+jwt";
        is.leeway = 60s;
        is.groups_claim = "realm_access.roles";
        policy.issuers.push_back(is);

        gk::gate::Route r;
        r.name = "api";
        r.path = gk::gate::PathMatch{gk::gate::PathMatchKind::prefix, "/api/", nullptr};
        r.require = gk::gate::Requirement{gk::gate::RequireKind::groups, {"staff"}};
        r.schemes = {gk::gate::SchemeKind::bearer};
        r.realm = "api";
        r.issuers = {"corp"};
        r.scopes = {gk::gate::ScopeRule{{"GET", "HEAD"}, {"read"}}, gk::gate::ScopeRule{{}, {"write"}}};
        policy.routes.push_back(r);

        sources["corp"] = std::make_shared<FixedKeys>(std::make_shared<gk::jose::JwkSet>(f.set));

        req.method = "GET";
        req.host = "api.example.test";
        req.authority = "api.example.test";
        req.target = "/api/orders/42";
        req.path = "/api/orders/42";
        req.client_address = "127.0.0.1";
        req.headers = {{"Host", "api.example.test"},
                       {"User-Agent", "bench/1.0"},
                       {"Accept", "application/json"},
                       {"Authorization", "Bearer " + f.token}};
    }

    gk::gate::SchemeContext context(bool cached) {
        gk::gate::SchemeContext ctx;
        ctx.key_sources = &sources;
        ctx.token_cache = cached ? &cache : nullptr;
        ctx.now = kNow;
        return ctx;
    }
};

GateFixture& gate_fixture() {
    static GateFixture g;
    return g;
}

void gate_decision(benchmark::State& state, bool cached) {
    GateFixture& g = gate_fixture();
    const auto ctx = g.context(cached);
    if (cached) {  // prime: the first evaluate verifies and remembers
        auto ev = gk::gate::evaluate(g.policy, g.req, g.dirs, ctx);
        if (!ev.decision || ev.decision->verdict != gk::gate::Verdict::allow || g.cache.size() != 1) {
            state.SkipWithError("priming the token cache failed");
            return;
        }
    }
    for (auto _ : state) {
        auto ev = gk::gate::evaluate(g.policy, g.req, g.dirs, ctx);
        if (!ev.decision || ev.decision->verdict != gk::gate::Verdict::allow) state.SkipWithError("not allowed");
        benchmark::DoNotOptimize(ev);
    }
}

#define GK_ALG_BENCHES(NAME, ALG)                                              \
    BENCHMARK_CAPTURE(raw, NAME, ALG)->Unit(benchmark::kMicrosecond);          \
    BENCHMARK_CAPTURE(jws, NAME, ALG)->Unit(benchmark::kMicrosecond);          \
    BENCHMARK_CAPTURE(jwt, NAME, ALG)->Unit(benchmark::kMicrosecond);

GK_ALG_BENCHES(ES256, SigAlg::es256)
GK_ALG_BENCHES(RS256, SigAlg::rs256)
GK_ALG_BENCHES(PS256, SigAlg::ps256)
GK_ALG_BENCHES(EdDSA, SigAlg::eddsa)
GK_ALG_BENCHES(HS256, SigAlg::hs256)
BENCHMARK_CAPTURE(gate_decision, ES256_uncached, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(gate_decision, ES256_cached, true)->Unit(benchmark::kMicrosecond);

// ---- Ratios: the display reporter also keeps each benchmark's time ----

template <class Base>
class CapturingReporter : public Base {
public:
    using Run = benchmark::BenchmarkReporter::Run;
    using Base::Base;

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            if (r.error_occurred) continue;
            const std::string name = r.run_name.str();  // without the _mean/_median suffix
            const double scale = 1e6 / benchmark::GetTimeUnitMultiplier(r.time_unit);
            const Times t{r.GetAdjustedRealTime() * scale, r.GetAdjustedCPUTime() * scale};
            if (r.run_type == Run::RT_Aggregate) {
                if (r.aggregate_name == "median") median_[name] = t;
                else if (r.aggregate_name == "mean") mean_[name] = t;
            } else {
                auto& s = single_[name];
                s.first.real += t.real;
                s.first.cpu += t.cpu;
                s.second += 1;
            }
        }
        Base::ReportRuns(runs);
    }

    struct Times {
        double real = -1, cpu = -1;  // microseconds per op; <0 when absent
    };
    // Median, else mean, else the average of the plain runs.
    Times us(const std::string& name) const {
        if (auto it = median_.find(name); it != median_.end()) return it->second;
        if (auto it = mean_.find(name); it != mean_.end()) return it->second;
        if (auto it = single_.find(name); it != single_.end())
            return {it->second.first.real / it->second.second, it->second.first.cpu / it->second.second};
        return {};
    }
    bool have_medians() const { return !median_.empty(); }

private:
    std::map<std::string, Times> median_, mean_;
    std::map<std::string, std::pair<Times, int>> single_;
};

template <class Rep>
void print_ratios(const Rep& rep, std::FILE* out) {
    const char* algs[] = {"ES256", "RS256", "PS256", "EdDSA", "HS256"};
    auto get = [&](const char* kind, const char* alg) { return rep.us(std::string(kind) + "/" + alg); };
    std::fprintf(out,
                 "\n# %s per op in microseconds (real time; cpu-time ratios alongside, steadier on a busy machine)\n"
                 "# target: verify_jwt/raw <= 1.15 for ES256, RS256, EdDSA\n",
                 rep.have_medians() ? "median" : "mean");
    std::fprintf(out, "%-6s %10s %10s %10s %9s %9s %13s\n", "alg", "raw", "jws", "jwt", "jws/raw", "jwt/raw",
                 "jwt/raw(cpu)");
    for (const char* alg : algs) {
        const auto r = get("raw", alg), s = get("jws", alg), t = get("jwt", alg);
        if (r.real <= 0 || s.real <= 0 || t.real <= 0) continue;  // filtered out or failed
        std::fprintf(out, "%-6s %10.2f %10.2f %10.2f %9.2f %9.2f %13.2f\n", alg, r.real, s.real, t.real,
                     s.real / r.real, t.real / r.real, t.cpu / r.cpu);
    }
    for (const char* alg : algs) {
        const auto r = get("raw", alg), s = get("jws", alg), t = get("jwt", alg);
        if (r.real > 0 && s.real > 0) std::fprintf(out, "ratio %s verify_jws/raw = %.2f\n", alg, s.real / r.real);
        if (r.real > 0 && t.real > 0) {
            const double q = t.real / r.real;
            const bool target = std::strcmp(alg, "PS256") != 0 && std::strcmp(alg, "HS256") != 0;
            std::fprintf(out, "ratio %s verify_jwt/raw = %.2f%s\n", alg, q,
                         target ? (q <= 1.15 ? "  (ok, <= 1.15)" : "  (OVER 1.15)") : "");
        }
    }
    const auto unc = rep.us("gate_decision/ES256_uncached");
    const auto cac = rep.us("gate_decision/ES256_cached");
    const auto raw = get("raw", "ES256");
    if (unc.real > 0 && cac.real > 0) {
        std::fprintf(out, "ES256 gate decision: uncached %.2f us, cached %.3f us\n", unc.real, cac.real);
        std::fprintf(out, "ES256 cached decision vs uncached = %.3fx\n", cac.real / unc.real);
    }
    if (unc.real > 0 && raw.real > 0)
        std::fprintf(out, "ratio ES256 uncached decision/raw = %.2f\n", unc.real / raw.real);
}

// A custom display reporter does not get the library's --benchmark_format /
// --benchmark_color handling: read those two flags here (console or json;
// with json on stdout the ratios go to stderr).
std::string flag_value(int argc, char** argv, std::string_view name) {
    std::string value;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a.size() > name.size() + 1 && a.substr(0, name.size()) == name && a[name.size()] == '=')
            value = std::string(a.substr(name.size() + 1));
    }
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string format = flag_value(argc, argv, "--benchmark_format");
    const std::string color = flag_value(argc, argv, "--benchmark_color");
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    if (format == "json") {
        CapturingReporter<benchmark::JSONReporter> rep;
        benchmark::RunSpecifiedBenchmarks(&rep);
        print_ratios(rep, stderr);
    } else {
        const bool use_color = color == "true" || color == "yes" || color == "1" ||
                               ((color.empty() || color == "auto") && isatty(STDOUT_FILENO) != 0);
        CapturingReporter<benchmark::ConsoleReporter> rep(use_color ? benchmark::ConsoleReporter::OO_ColorTabular
                                                                    : benchmark::ConsoleReporter::OO_Tabular);
        benchmark::RunSpecifiedBenchmarks(&rep);
        print_ratios(rep, stdout);
    }
    benchmark::Shutdown();
    return 0;
}
