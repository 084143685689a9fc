// The pure half of the client: which challenge to answer and the
// Authorization value for it. The Digest math is schemes/digest's.
#include <algorithm>
#include <string>

#include "gatekeeper/client.hpp"
#include "gatekeeper/httpauth/base64.hpp"

namespace gk::client {
namespace {

using httpauth::iequals;

// qop is a quoted, comma-separated list ("auth, auth-int"); true if "auth" is in it.
bool offers_qop_auth(std::string_view list) {
    std::size_t i = 0;
    while (i <= list.size()) {
        std::size_t j = list.find(',', i);
        if (j == std::string_view::npos) j = list.size();
        std::string_view item = list.substr(i, j - i);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (iequals(item, "auth")) return true;
        i = j + 1;
    }
    return false;
}

// Quoted-string with '"' and '\' escaped (RFC 9110 5.6.4).
void append_quoted(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += "=\"";
    for (char ch : value) {
        if (ch == '"' || ch == '\\') out.push_back('\\');
        out.push_back(ch);
    }
    out += '"';
}

}  // namespace

const char* to_string(SchemeChoice s) noexcept {
    switch (s) {
        case SchemeChoice::digest_sha256: return "digest-sha256";
        case SchemeChoice::digest_md5: return "digest-md5";
        case SchemeChoice::bearer: return "bearer";
        case SchemeChoice::basic: return "basic";
    }
    return "?";
}

const char* to_string(DigestChallengeError e) noexcept {
    switch (e) {
        case DigestChallengeError::not_digest: return "not a Digest challenge";
        case DigestChallengeError::missing_realm: return "Digest challenge without realm";
        case DigestChallengeError::missing_nonce: return "Digest challenge without nonce";
        case DigestChallengeError::bad_algorithm: return "Digest algorithm not supported";
        case DigestChallengeError::no_qop_auth: return "Digest challenge does not offer qop=auth";
    }
    return "?";
}

std::vector<httpauth::Challenge> collect_challenges(const std::vector<std::string>& field_values) {
    std::vector<httpauth::Challenge> out;
    for (const auto& v : field_values) {
        auto parsed = httpauth::parse_challenges(v);
        if (!parsed) continue;
        for (auto& c : *parsed) out.push_back(std::move(c));
    }
    return out;
}

Result<DigestChallenge, DigestChallengeError> parse_digest_challenge(const httpauth::Challenge& c) {
    if (!iequals(c.scheme, "Digest") || c.token68) return fail(DigestChallengeError::not_digest);
    DigestChallenge out;
    const auto* realm = c.param("realm");
    if (!realm) return fail(DigestChallengeError::missing_realm);
    out.realm = realm->value;
    const auto* nonce = c.param("nonce");
    if (!nonce || nonce->value.empty()) return fail(DigestChallengeError::missing_nonce);
    out.nonce = nonce->value;
    if (const auto* op = c.param("opaque")) out.opaque = op->value;
    if (const auto* alg = c.param("algorithm")) {
        auto a = schemes::parse_digest_algorithm(alg->value);
        // We answer the two plain algorithms only: -sess adds nothing for a
        // client that does not cache H(A1) with the server, and SHA-512-256 is
        // rare enough to leave until someone offers it.
        if (!a || (*a != schemes::DigestAlgorithm::md5 && *a != schemes::DigestAlgorithm::sha256))
            return fail(DigestChallengeError::bad_algorithm);
        out.algorithm = *a;
    }
    // RFC 2069 challenges (no qop) are not answered: without cnonce and nc a
    // recorded answer is replayable for the nonce's whole life.
    const auto* qop = c.param("qop");
    if (!qop || !offers_qop_auth(qop->value)) return fail(DigestChallengeError::no_qop_auth);
    if (const auto* st = c.param("stale")) out.stale = iequals(st->value, "true");
    if (const auto* uh = c.param("userhash")) out.userhash = iequals(uh->value, "true");
    return out;
}

std::optional<Chosen> choose_challenge(const std::vector<httpauth::Challenge>& challenges, Abilities can) {
    std::optional<Chosen> best;
    auto consider = [&](SchemeChoice k, const httpauth::Challenge& c) {
        // Lower enumerator = stronger; among equals the server's first wins.
        if (!best || static_cast<int>(k) < static_cast<int>(best->kind)) best = Chosen{k, c};
    };
    for (const auto& c : challenges) {
        if (iequals(c.scheme, "Digest")) {
            if (!can.password) continue;
            auto d = parse_digest_challenge(c);
            if (!d) continue;
            consider(d->algorithm == schemes::DigestAlgorithm::sha256 ? SchemeChoice::digest_sha256
                                                                      : SchemeChoice::digest_md5,
                     c);
        } else if (iequals(c.scheme, "Bearer")) {
            if (can.bearer) consider(SchemeChoice::bearer, c);
        } else if (iequals(c.scheme, "Basic")) {
            if (can.password) consider(SchemeChoice::basic, c);
        }
    }
    return best;
}

std::optional<std::string> basic_authorization(std::string_view user, const Secret& password) {
    if (user.find(':') != std::string_view::npos) return std::nullopt;
    std::string pair;
    pair.reserve(user.size() + 1 + password.size());
    pair.append(user).push_back(':');
    pair.append(password.reveal());
    Secret wiped{std::move(pair)};  // zeroed when it goes
    return "Basic " + httpauth::base64_encode(wiped.reveal());
}

std::string bearer_authorization(const Secret& token) { return "Bearer " + std::string(token.reveal()); }

std::string digest_authorization(const DigestChallenge& ch, std::string_view user, const Secret& password,
                                 std::string_view method, std::string_view uri, std::string_view cnonce,
                                 std::uint32_t nc) {
    schemes::DigestCredentials c;
    c.realm = ch.realm;
    c.nonce = ch.nonce;
    c.uri = std::string(uri);
    c.cnonce = std::string(cnonce);
    c.algorithm = ch.algorithm;
    c.qop = schemes::DigestCredentials::Qop::auth;
    c.nc = nc;
    char nc_text[9];
    std::snprintf(nc_text, sizeof nc_text, "%08x", nc);
    c.nc_text = nc_text;
    const Secret ha1{schemes::digest_ha1(ch.algorithm, user, ch.realm, password.reveal())};
    const std::string response = schemes::expected_response(c, ha1.reveal(), method, "");

    std::string out = "Digest ";
    if (ch.userhash) {
        append_quoted(out, "username", schemes::digest_userhash(ch.algorithm, user, ch.realm));
    } else {
        append_quoted(out, "username", user);
    }
    out += ", ";
    append_quoted(out, "realm", ch.realm);
    out += ", ";
    append_quoted(out, "nonce", ch.nonce);
    out += ", ";
    append_quoted(out, "uri", uri);
    out += ", algorithm=";
    out += schemes::to_string(ch.algorithm);
    out += ", ";
    append_quoted(out, "response", response);
    out += ", qop=auth, nc=";
    out += nc_text;
    out += ", ";
    append_quoted(out, "cnonce", cnonce);
    if (!ch.opaque.empty()) {
        out += ", ";
        append_quoted(out, "opaque", ch.opaque);
    }
    if (ch.userhash) out += ", userhash=true";
    return out;
}

std::uint32_t NonceCounter::next(const std::string& nonce) {
    std::lock_guard lock(mu_);
    ++tick_;
    auto it = counts_.find(nonce);
    if (it != counts_.end()) {
        it->second.first += 1;
        it->second.second = tick_;
        return it->second.first;
    }
    if (counts_.size() >= capacity_) {
        auto oldest = std::min_element(counts_.begin(), counts_.end(), [](const auto& a, const auto& b) {
            return a.second.second < b.second.second;
        });
        counts_.erase(oldest);
    }
    counts_.emplace(nonce, std::make_pair(std::uint32_t{1}, tick_));
    return 1;
}

}  // namespace gk::client
