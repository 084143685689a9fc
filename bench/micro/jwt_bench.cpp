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
//   prepared   ES256 only, what `openssl speed ecdsap256` times (scenario 4b's
//              yardstick): EVP_PKEY_verify on a context set up once, digest given.
//   gate       ES256 only: gate::evaluate for a Bearer request on a route, with
//              no token cache (full verify) and with a cache primed with the token;
//              gate_public: the public route's decision (scenario 1), beside which
//              the cached one is read (scenario 4a); gate_fresh: cache on, a
//              new token from a pool larger than the cache each time (4b).
// jwt_icount runs the same cases a fixed number of times, for callgrind.
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

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "jwt_fixture.hpp"
#include "raw_openssl.hpp"

namespace {

using namespace gk::bench;
using gk::crypto::SigAlg;

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

// ES256 as `openssl speed ecdsap256` measures it (scenario 4b's yardstick):
// prepared context, digest computed once outside the loop.
void prepared_es256(benchmark::State& state) {
    const Fixture& f = fixture(SigAlg::es256);
    const PreparedVerify v(f.verify_key->native());
    unsigned char md[32];
    unsigned int md_len = 0;
    EVP_Digest(f.jws.signing_input.data(), f.jws.signing_input.size(), md, &md_len, EVP_sha256(), nullptr);
    for (auto _ : state) {
        const bool ok = v.verify(f.raw_sig, md, md_len);
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

// Scenario 1's decision: a public route, no credentials. The cached Bearer
// decision is measured against it.
void gate_public(benchmark::State& state) {
    GateFixture& g = gate_fixture();
    const auto ctx = g.context(false);
    for (auto _ : state) {
        auto ev = gk::gate::evaluate(g.policy, g.public_req, g.dirs, ctx);
        if (!ev.decision || ev.decision->verdict != gk::gate::Verdict::allow) state.SkipWithError("not allowed");
        benchmark::DoNotOptimize(ev);
    }
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

// Scenario 4b as the gate sees it: the token cache on, a fresh token each
// time (a pool larger than the cache), so each decision verifies, maps the
// claims and inserts into a full cache (evicting one entry).
void gate_fresh(benchmark::State& state) {
    GateFixture& g = gate_fixture();
    const auto& reqs = g.fresh_requests();
    auto ctx = g.context(true);
    ctx.token_cache = &g.fresh_cache;
    std::size_t i = 0;
    for (auto _ : state) {
        auto ev = gk::gate::evaluate(g.policy, reqs[i], g.dirs, ctx);
        if (!ev.decision || ev.decision->verdict != gk::gate::Verdict::allow) state.SkipWithError("not allowed");
        benchmark::DoNotOptimize(ev);
        if (++i == reqs.size()) i = 0;
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
BENCHMARK(prepared_es256)->Unit(benchmark::kMicrosecond);
BENCHMARK(gate_public)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(gate_decision, ES256_uncached, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(gate_decision, ES256_cached, true)->Unit(benchmark::kMicrosecond);
BENCHMARK(gate_fresh)->Unit(benchmark::kMicrosecond);

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
    // Scenario 4b's yardstick is `openssl speed` (prepared context, digest
    // given): the rate ratio, goal >= 0.8.
    const auto prep = rep.us("prepared_es256");
    if (unc.real > 0 && prep.real > 0)
        std::fprintf(out, "ratio ES256 prepared-verify rate / uncached decision rate = %.2f (cpu %.2f)\n",
                     prep.real / unc.real, prep.cpu / unc.cpu);
    const auto fresh = rep.us("gate_fresh");
    if (fresh.real > 0 && prep.real > 0)
        std::fprintf(out, "ratio ES256 prepared-verify rate / fresh-token decision rate (cache on) = %.2f (cpu %.2f)\n",
                     prep.real / fresh.real, prep.cpu / fresh.cpu);
    // Scenario 4a: the cached decision beside the public route's.
    const auto pub = rep.us("gate_public");
    if (cac.real > 0 && pub.real > 0)
        std::fprintf(out, "ES256 cached decision %.3f us vs public route %.3f us: extra %.3f us\n", cac.real,
                     pub.real, cac.real - pub.real);
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
