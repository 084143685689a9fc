// parse_credentials + parse_digest on arbitrary bytes. Properties:
// - accepted credentials keep the invariants the gate relies on: nc_text is 8
//   hex digits whose value is nc >= 1, response is lower-case hex of the
//   algorithm's length, nonce/uri/cnonce are non-empty, the user name has no CTL
//   and (with userhash) is lower-case hex of the right length;
// - they survive a round trip: written back as a header (as a conforming
//   client would write them) they parse to the same value;
// - the computations run on them and a response always matches itself.
// The same bytes also go to DigestNonces::check (never "valid": nobody can
// forge the MAC) and to parse_htdigest (accepted entries are well-formed).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace {

using namespace gk::schemes;

bool lower_hex(std::string_view s) { return s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

void check_invariants(const DigestCredentials& d) {
    if (d.nc_text.size() != 8 || d.nc == 0) __builtin_trap();
    if (std::stoul(d.nc_text, nullptr, 16) != d.nc) __builtin_trap();
    if (d.response.size() != hex_length(d.algorithm) || !lower_hex(d.response)) __builtin_trap();
    if (d.nonce.empty() || d.uri.empty() || d.cnonce.empty()) __builtin_trap();
    for (const auto* s : {&d.username, &d.realm, &d.nonce, &d.uri, &d.cnonce, &d.opaque}) {
        if (s->size() > kMaxDigestParam) __builtin_trap();
    }
    for (char ch : d.username) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f) __builtin_trap();
    }
    if (d.userhash && (d.username.size() != hex_length(d.algorithm) || !lower_hex(d.username))) __builtin_trap();
}

// The credentials as a conforming client writes them (3.4 quoting rules).
std::string render(const DigestCredentials& d) {
    gk::httpauth::Credentials c;
    c.scheme = "Digest";
    c.params.push_back({"username", d.username, true});
    c.params.push_back({"realm", d.realm, true});
    c.params.push_back({"uri", d.uri, true});
    c.params.push_back({"algorithm", to_string(d.algorithm), false});
    c.params.push_back({"nonce", d.nonce, true});
    c.params.push_back({"nc", d.nc_text, false});
    c.params.push_back({"cnonce", d.cnonce, true});
    c.params.push_back({"qop", to_string(d.qop), false});
    c.params.push_back({"response", d.response, true});
    if (!d.opaque.empty()) c.params.push_back({"opaque", d.opaque, true});
    if (d.userhash) c.params.push_back({"userhash", "true", false});
    return gk::httpauth::format_challenge(c);
}

void check_digest(const gk::httpauth::Credentials& c) {
    auto r = parse_digest(c);
    if (!r.ok()) {
        if (to_string(r.error()) == nullptr) __builtin_trap();
        return;
    }
    const DigestCredentials& d = r.value();
    check_invariants(d);

    auto again = gk::httpauth::parse_credentials(render(d));
    if (!again.ok()) __builtin_trap();
    auto d2 = parse_digest(again.value());
    if (!d2.ok()) __builtin_trap();
    const DigestCredentials& e = d2.value();
    if (e.username != d.username || e.userhash != d.userhash || e.realm != d.realm || e.nonce != d.nonce ||
        e.uri != d.uri || e.response != d.response || e.cnonce != d.cnonce || e.opaque != d.opaque ||
        e.algorithm != d.algorithm || e.qop != d.qop || e.nc != d.nc || e.nc_text != d.nc_text) {
        __builtin_trap();
    }

    const std::string ha1 = digest_ha1(d.algorithm, d.username, d.realm, "pw");
    const std::string bh = body_hash(d.algorithm, d.uri);
    const std::string want = expected_response(d, ha1, "GET", bh);
    if (want.size() != hex_length(d.algorithm)) __builtin_trap();
    if (rspauth(d, ha1, bh).size() != hex_length(d.algorithm)) __builtin_trap();
    DigestCredentials self = d;
    self.response = want;
    if (!response_matches(self, want)) __builtin_trap();
}

void check_nonce(std::string_view text) {
    static const DigestNonces nonces(std::string(32, 'k'), std::chrono::seconds(300));
    const auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000));
    if (nonces.check(text, now) == DigestNonces::NonceState::valid) __builtin_trap();
    (void)DigestNonces::issued_at(text);
}

void check_htdigest(std::string_view text) {
    auto r = parse_htdigest(text);
    if (!r.ok()) {
        if (r.error().line < 1 || r.error().message.empty()) __builtin_trap();
        return;
    }
    for (const auto& e : r.value()) {
        if (e.user.empty() || e.realm.empty() || e.ha1.size() != 32 || !lower_hex(e.ha1)) __builtin_trap();
        if (e.user.find(':') != std::string::npos || e.realm.find(':') != std::string::npos) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = gk::httpauth::parse_credentials(text);
    if (parsed.ok()) check_digest(parsed.value());
    check_nonce(text);
    check_htdigest(text);
    return 0;
}
