#pragma once
// The demo's token signing key: an ES256 key made on first start and kept in
// the state folder (private JWK, mode 0600), with the public JWKS beside it
// that the demo's issuer verifies against.
#include <filesystem>

#include "gatekeeper/jose/jwk.hpp"

namespace gk::cli {

inline constexpr const char* kDemoSigningKey = "signing-key.json";
inline constexpr const char* kDemoJwks = "jwks.json";
inline constexpr const char* kDemoIssuerName = "demo";
inline constexpr const char* kDemoAudience = "demo-api";

// Creates the key and the JWKS when missing; rewrites the JWKS when it does
// not match the key. Throws std::runtime_error (edge) when it cannot.
void ensure_demo_signing_key(const std::filesystem::path& state_dir);

// Reads a private signing key: a JWK JSON file or a PEM private key.
// Throws std::runtime_error naming the file when it cannot.
jose::Jwk read_signing_key(const std::filesystem::path& file);

}  // namespace gk::cli
