// JWK and JWK set serialization: public members unless asked for the private
// ones. An oct key's `k` is the secret itself, so it appears only with_private.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::jose {
namespace {

namespace json = boost::json;
using httpauth::base64url_encode;

json::object jwk_object(const Jwk& jwk, bool with_private) {
    json::object o;
    const crypto::Key& key = jwk.key;
    switch (key.type()) {
        case crypto::KeyType::rsa: {
            const auto c = key.rsa_components(with_private);
            o["kty"] = "RSA";
            o["n"] = base64url_encode(c.n);
            o["e"] = base64url_encode(c.e);
            if (with_private && !c.d.empty()) {
                o["d"] = base64url_encode(c.d);
                o["p"] = base64url_encode(c.p);
                o["q"] = base64url_encode(c.q);
                o["dp"] = base64url_encode(c.dp);
                o["dq"] = base64url_encode(c.dq);
                o["qi"] = base64url_encode(c.qi);
            }
            break;
        }
        case crypto::KeyType::ec: {
            const auto p = key.point(with_private);
            o["kty"] = "EC";
            o["crv"] = crypto::to_string(key.curve());
            o["x"] = base64url_encode(p.x);
            o["y"] = base64url_encode(p.y);
            if (with_private && !p.d.empty()) o["d"] = base64url_encode(p.d.reveal());
            break;
        }
        case crypto::KeyType::ed25519: {
            const auto p = key.point(with_private);
            o["kty"] = "OKP";
            o["crv"] = "Ed25519";
            o["x"] = base64url_encode(p.x);
            if (with_private && !p.d.empty()) o["d"] = base64url_encode(p.d.reveal());
            break;
        }
        case crypto::KeyType::oct:
            o["kty"] = "oct";
            if (with_private) o["k"] = base64url_encode(key.secret().reveal());
            break;
    }
    if (!jwk.kid.empty()) o["kid"] = jwk.kid;
    if (!jwk.use.empty()) o["use"] = jwk.use;
    if (!jwk.key_ops.empty()) {
        json::array ops;
        for (const auto& op : jwk.key_ops) ops.emplace_back(op);
        o["key_ops"] = std::move(ops);
    }
    if (jwk.alg) o["alg"] = crypto::jose_name(*jwk.alg);
    return o;
}

}  // namespace

std::string to_json(const Jwk& jwk, bool with_private) {
    return json::serialize(jwk_object(jwk, with_private));
}

std::string to_json(const JwkSet& set, bool with_private) {
    json::array keys;
    for (const auto& k : set.keys()) keys.emplace_back(jwk_object(k, with_private));
    json::object o;
    o["keys"] = std::move(keys);
    return json::serialize(o);
}

}  // namespace gk::jose
