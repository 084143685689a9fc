#include "cli/demo_keys.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "store/atomic_file.hpp"

namespace gk::cli {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_or_throw(const fs::path& p, const std::string& text, fs::perms perms) {
    auto w = store::write_file_atomically(p, text, perms);
    if (!w) throw std::runtime_error(w.error());
}

}  // namespace

jose::Jwk read_signing_key(const fs::path& file) {
    const std::string text = read_text(file);
    if (text.find("-----BEGIN") != std::string::npos) {
        auto key = crypto::Key::from_pem(text);
        if (!key) throw std::runtime_error(file.string() + ": not a usable PEM key: " + crypto::to_string(key.error()));
        jose::Jwk jwk;
        jwk.key = std::move(*key);
        return jwk;
    }
    auto jwk = jose::parse_jwk(text);
    if (!jwk) throw std::runtime_error(file.string() + ": not a usable JWK: " + jose::to_string(jwk.error()));
    return std::move(*jwk);
}

void ensure_demo_signing_key(const fs::path& state_dir) {
    const auto key_file = state_dir / kDemoSigningKey;
    jose::Jwk jwk;
    if (fs::exists(key_file)) {
        jwk = read_signing_key(key_file);
    } else {
        jwk.key = crypto::Key::generate_ec(crypto::Curve::p256);
        jwk.alg = crypto::SigAlg::es256;
        jwk.use = "sig";
        jwk.kid = jose::thumbprint(jwk);
        write_or_throw(key_file, jose::to_json(jwk, true) + "\n", store::kPrivateFile);
    }
    const std::string jwks = jose::to_json(jose::JwkSet({jwk}), false) + "\n";
    const auto jwks_file = state_dir / kDemoJwks;
    if (!fs::exists(jwks_file) || read_text(jwks_file) != jwks) write_or_throw(jwks_file, jwks, fs::perms(0644));
}

}  // namespace gk::cli
