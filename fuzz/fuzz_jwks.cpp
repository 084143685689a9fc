// parse_jwks and parse_jwk on arbitrary bytes. Properties:
// - every kept key is valid, usable for verification, and can verify at
//   least one algorithm unless pinned to one it cannot serve (never);
// - a set survives a round trip: to_json (public, and with private members)
//   parses back to the same keys (thumbprint, kid, alg), nothing skipped;
// - a public export never carries private members.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatekeeper/jose/jwk.hpp"

namespace {

using namespace gk;
using namespace gk::jose;

constexpr crypto::SigAlg kAll[] = {crypto::SigAlg::hs256, crypto::SigAlg::hs384, crypto::SigAlg::hs512,
                                   crypto::SigAlg::rs256, crypto::SigAlg::rs384, crypto::SigAlg::rs512,
                                   crypto::SigAlg::ps256, crypto::SigAlg::ps384, crypto::SigAlg::ps512,
                                   crypto::SigAlg::es256, crypto::SigAlg::es384, crypto::SigAlg::es512,
                                   crypto::SigAlg::eddsa};

bool serves_something(const Jwk& k) {
    for (auto a : kAll) {
        if (k.can_verify(a)) return true;
    }
    return false;
}

void same_key(const Jwk& a, const Jwk& b, bool with_private) {
    if (thumbprint(a) != thumbprint(b) || a.kid != b.kid || a.alg != b.alg || a.use != b.use ||
        a.key_ops != b.key_ops) {
        __builtin_trap();
    }
    if (with_private && a.key.has_private() != b.key.has_private()) __builtin_trap();
}

void check_set(std::string_view text) {
    auto r = parse_jwks(text);
    if (!r.ok()) return;
    const auto& keys = r->set.keys();
    std::size_t priv = 0;
    for (const auto& k : keys) {
        if (!k.key.valid() || !serves_something(k) || thumbprint(k).size() != 43) __builtin_trap();
        if (k.key.has_private()) ++priv;
    }
    if (priv != r->private_keys) __builtin_trap();

    auto with_private = parse_jwks(to_json(r->set, true));
    if (!with_private.ok() || with_private->skipped != 0 || with_private->set.keys().size() != keys.size()) {
        __builtin_trap();
    }
    for (std::size_t i = 0; i < keys.size(); ++i) same_key(keys[i], with_private->set.keys()[i], true);

    const std::string pub = to_json(r->set, false);
    const boost::json::value exported = boost::json::parse(pub);
    for (const auto& v : exported.at("keys").as_array()) {
        for (const char* m : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
            if (v.as_object().contains(m)) __builtin_trap();
        }
    }
    auto back = parse_jwks(pub);
    if (!back.ok() || back->private_keys != 0) __builtin_trap();
    // Public export of an oct key has no "k": it is skipped on the way back.
    std::size_t j = 0;
    for (const auto& k : keys) {
        if (k.key.type() == crypto::KeyType::oct) continue;
        if (j >= back->set.keys().size()) __builtin_trap();
        same_key(k, back->set.keys()[j++], false);
    }
    if (j != back->set.keys().size()) __builtin_trap();
}

void check_key(std::string_view text) {
    auto r = parse_jwk(text);
    if (!r.ok()) return;
    if (!r->key.valid()) __builtin_trap();
    auto again = parse_jwk(to_json(*r, true));
    if (!again.ok()) __builtin_trap();
    same_key(*r, *again, true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_set(text);
    check_key(text);
    return 0;
}
