// gatekeeper keys list|rotate: the issuer's own token-signing keys in its
// database. The rollover rules are issuer/signing_keys (unit-tested); this
// file only reads the settings, asks for a plan, writes it and reports. A
// running gatekeeper rebuilds its key ring from the same file every few
// seconds, so a rotation here needs no restart. Key material is never shown.
// Exit status, as for `apikey`:
//   1  refused: bad --alg or --overlap, overlap shorter than access_token_ttl
//   2  the database or config cannot be read or written
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cli/cli_audit.hpp"
#include "cli/commands.hpp"
#include "cli/issuer_db.hpp"
#include "gatekeeper/config/config.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/issuer/signing_keys.hpp"
#include "store/sqlite_issuer_store.hpp"

namespace gk::cli {
namespace {

constexpr const char* kCommand = "keys";
// Past a year an overlap is a typo (or a unit mix-up), not a rollover plan.
constexpr std::int64_t kMaxOverlapSeconds = 365LL * 86400;

struct RotateArgs {
    std::string alg;
    std::string overlap;
    bool alg_given = false;  // --alg "" is an error, not "the default"
    bool overlap_given = false;
    bool force = false;
};

[[noreturn]] void die(int code, const std::string& message) { cli_die(kCommand, code, message); }

template <class T>
T or_die(issuer::StoreResult<T> r) {
    if (!r) die(store_exit_code(r.error()), r.error().message);
    return std::move(r).value();
}

// "30s", "10m", "24h", "7d": a whole number and a unit, like `apikey --expires`
// (config::parse_duration takes bare numbers as milliseconds, a trap here).
// Zero is allowed: with --force it is the emergency rotation of a leaked key.
Result<std::int64_t, std::string> parse_overlap(std::string_view text) {
    const auto d = parse_whole_duration(text, kMaxOverlapSeconds);
    if (d.too_long) return fail("'" + std::string(text) + "' is longer than a year");
    if (!d.seconds) return fail("'" + std::string(text) + "' is not a duration (write 30s, 10m, 24h or 7d)");
    return *d.seconds;
}

// The largest unit that divides evenly: 90 -> "90s", 600 -> "10m", 86400 -> "1d".
std::string format_duration(std::int64_t seconds) {
    if (seconds != 0 && seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
    if (seconds != 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
    if (seconds != 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
    return std::to_string(seconds) + "s";
}

// The key a ring built at `now` signs with (issuer::KeyRing::build's choice:
// published, signs_from <= now, latest signs_from then latest created_at), or
// nullptr. Chosen from the records alone: listing never parses key material.
const issuer::SigningKey* signer_at(const std::vector<issuer::SigningKey>& keys, std::int64_t now) {
    const issuer::SigningKey* best = nullptr;
    for (const auto& k : keys) {
        if ((k.retire_at != 0 && k.retire_at <= now) || k.signs_from > now) continue;
        if (best == nullptr || k.signs_from > best->signs_from ||
            (k.signs_from == best->signs_from && k.created_at > best->created_at))
            best = &k;
    }
    return best;
}

std::string state_of(const issuer::SigningKey& k, const issuer::SigningKey* signer, std::int64_t now) {
    if (k.retire_at != 0 && k.retire_at <= now) return "retired";
    if (&k == signer)
        return k.retire_at == 0 ? "signing" : "signing, retiring at " + format_time(k.retire_at);
    if (k.signs_from > now) return "published, signs from " + format_time(k.signs_from);
    if (k.retire_at != 0) return "retiring at " + format_time(k.retire_at);
    return "published";  // may sign, but a newer key does: verifies only
}

void list(const IssuerDbOptions& db) {
    const auto target = resolve_issuer_db(db, kCommand);
    auto store = open_issuer_store(target, /*create=*/false, kCommand);
    const auto keys = or_die(store->signing_keys());
    const std::int64_t now = unix_now();
    const auto* signer = signer_at(keys, now);
    Table table({"KID", "ALG", "STATE", "CREATED", "SIGNS_FROM", "RETIRE_AT"});
    for (const auto& k : keys)
        table.add({k.kid, k.alg, state_of(k, signer, now), format_time(k.created_at),
                   format_time(k.signs_from), k.retire_at ? format_time(k.retire_at) : "-"});
    std::fputs(table.str().c_str(), stdout);
    if (keys.empty())
        std::fprintf(stderr,
                     "no signing keys in %s (`keys rotate` creates the first; so does starting the server)\n",
                     target.where().c_str());
    else if (!signer)
        std::fprintf(stderr,
                     "warning: no key can sign now: the issuer cannot mint tokens (run `keys rotate`)\n");
}

void rotate(const IssuerDbOptions& db, const RotateArgs& a) {
    // Arguments first: a typo is reported before any file is touched.
    std::optional<crypto::SigAlg> alg;
    if (a.alg_given) {
        alg = crypto::sig_alg_from_jose_name(a.alg);
        if (!alg || !issuer::signing_alg_supported(*alg))
            die(1, "--alg: '" + a.alg + "' is not offered (ES256, EdDSA or RS256)");
    }
    std::optional<std::int64_t> overlap;
    if (a.overlap_given) {
        auto parsed = parse_overlap(a.overlap);
        if (!parsed) die(1, "--overlap: " + parsed.error());
        overlap = *parsed;
    }
    const auto t = resolve_issuer_db(db, kCommand);
    if (!alg) alg = t.settings.algorithm;
    if (!overlap) overlap = t.settings.key_overlap.count();
    const std::int64_t ttl = t.settings.access_token_ttl.count();
    const std::string ttl_from = t.settings_from.empty() ? "the default" : t.settings_from;

    auto store = open_issuer_store(t, /*create=*/true, kCommand);
    const auto existing = or_die(store->signing_keys());
    const std::int64_t now = unix_now();
    auto plan = issuer::plan_rotation(existing, *alg, now, *overlap);
    if (!plan) die(1, plan.error().message);
    // The old keys verify until now + 2*overlap; the last token one of them signs
    // (at now + overlap) is good until now + overlap + ttl. So overlap >= ttl.
    if (!plan->retire.empty() && *overlap < ttl && !a.force)
        die(1, "overlap " + format_duration(*overlap) + " is shorter than access_token_ttl " +
                   format_duration(ttl) + " (" + ttl_from +
                   "): tokens signed by the old keys would stop verifying before they expire, "
                   "since the old keys retire at now + 2 x overlap. Use --overlap " +
                   format_duration(ttl) +
                   " or more, or --force to accept that (an emergency rotation away from a leaked key, say)");
    if (auto ok = issuer::apply_rotation(*store, *plan); !ok)
        die(store_exit_code(ok.error()), ok.error().message);

    const auto& k = plan->new_key;
    std::string retires;
    for (const auto& r : plan->retire) retires += (retires.empty() ? "" : ",") + r.first;
    record_cli_event({t.audit_log, t.state}, "keys.rotate", {{"kid", k.kid}, {"alg", k.alg}, {"retires", retires}});
    std::fprintf(stdout, "%s\n", k.kid.c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "new %s key %s added to %s\n", k.alg.c_str(), k.kid.c_str(), t.where().c_str());
    if (k.signs_from <= now)
        std::fprintf(stderr, "it signs from now (%s): %s\n", format_time(k.signs_from).c_str(),
                     *overlap == 0 ? "--overlap 0s" : "there was no key to overlap with");
    else
        std::fprintf(stderr, "published now; it signs from %s (in %s)\n", format_time(k.signs_from).c_str(),
                     format_duration(k.signs_from - now).c_str());
    for (const auto& [kid, at] : plan->retire)
        std::fprintf(stderr, "old key %s retires at %s (in %s)\n", kid.c_str(), format_time(at).c_str(),
                     format_duration(at - now).c_str());
    std::fprintf(stderr, "a running gatekeeper on this database picks the change up within seconds\n");
}

}  // namespace

void add_keys_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("keys", "List or rotate the keys gatekeeper signs its own tokens with");
    cmd->require_subcommand(1);
    cmd->fallthrough();  // --config/--state may follow the action: `keys list --state DIR`
    auto db = std::make_shared<IssuerDbOptions>();
    auto* cf =
        cmd->add_option("-c,--config", db->config, "Config file: use its issuer database and oauth settings");
    auto* st =
        cmd->add_option("--state", db->state,
                        "Demo state folder (uses DIR/gatekeeper.db, and DIR/gatekeeper.yaml if present)");
    cf->excludes(st);
    cmd->footer(
        "Key material is never shown; the JWKS (/.well-known/jwks.json) publishes the public parts.\n"
        "Exit status: 1 refused (invalid input, overlap too short), 2 database/config unusable.");

    auto* list_cmd =
        cmd->add_subcommand("list", "List keys: kid, alg, state, created, signs_from, retire_at");
    list_cmd->callback([db] { list(*db); });

    auto a = std::make_shared<RotateArgs>();
    auto* rotate_cmd = cmd->add_subcommand(
        "rotate",
        "Add a key: published at once, signing after the overlap; current keys retire after twice it");
    auto* alg = rotate_cmd->add_option("--alg", a->alg,
                                       "ES256, EdDSA or RS256 (default: oauth algorithm, else ES256)");
    auto* overlap = rotate_cmd->add_option("--overlap", a->overlap,
                                           "30s, 10m, 24h, 7d (default: oauth key_overlap, else 24h)");
    rotate_cmd->add_flag("--force", a->force, "Allow an overlap shorter than access_token_ttl");
    rotate_cmd->callback([db, a, alg, overlap] {
        a->alg_given = alg->count() > 0;
        a->overlap_given = overlap->count() > 0;
        rotate(*db, *a);
    });
}

}  // namespace gk::cli
