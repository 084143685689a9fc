#pragma once
// Two self-signed P-256 test certificates and their keys (openssl req, valid 100 years), for
// config tests that need real PEM files: the loader checks that each key matches its certificate.

namespace gk::config::testing_pems {

inline constexpr const char* kACert = R"(-----BEGIN CERTIFICATE-----
MIIBjDCCATKgAwIBAgIUOGVMTavzUZ2+mzRDbmpi8Q376KwwCgYIKoZIzj0EAwIw
ETEPMA0GA1UEAwwGYS50ZXN0MCAXDTI2MTEyOTE5MDEzN1oYDzIxMjYxMTA1MTkw
MTM3WjARMQ8wDQYDVQQDDAZhLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AATXMJ/e5rbTrUtfbgOTEQBakp6i1FaviCGukH1v8xJ3ParS2Twtzbf4Ggnxbc2E
MJ2ph+037jf/1sm2TSeOVyWco2YwZDAdBgNVHQ4EFgQUCP4UCTqhNKo+3sGivkg/
DyVNkmAwHwYDVR0jBBgwFoAUCP4UCTqhNKo+3sGivkg/DyVNkmAwDwYDVR0TAQH/
BAUwAwEB/zARBgNVHREECjAIggZhLnRlc3QwCgYIKoZIzj0EAwIDSAAwRQIgD3t3
GNCdN1w26aGiGgcAmmIKHEyUrec/uCxm7/TV2qsCIQCi8pnugAhoWT8KIF3DGuYs
qmjl+6VC1YPkNKETqa/cSg==
-----END CERTIFICATE-----
)";

inline constexpr const char* kAKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfhzQYFtt0d1PZ4Sj
CrpshgHJU9l39BCLJyvb1bZiW/uhRANCAATXMJ/e5rbTrUtfbgOTEQBakp6i1Fav
iCGukH1v8xJ3ParS2Twtzbf4Ggnxbc2EMJ2ph+037jf/1sm2TSeOVyWc
-----END PRIVATE KEY-----
)";

inline constexpr const char* kBCert = R"(-----BEGIN CERTIFICATE-----
MIIBjTCCATKgAwIBAgIUXW4GbbOVl4saKto1VKEsI4GKbQAwCgYIKoZIzj0EAwIw
ETEPMA0GA1UEAwwGYi50ZXN0MCAXDTI2MTEyOTE5MDEzN1oYDzIxMjYxMTA1MTkw
MTM3WjARMQ8wDQYDVQQDDAZiLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AAQzM53jSTjK51XFx1FbFVpGbVHi+XzA3/rXbLgpuwyp9T28jaXnQ+HNSeDk86Xz
KKupNwo+71rVNJxof/4dErpAo2YwZDAdBgNVHQ4EFgQUA8ldcEofK0VcbI4KruQ7
pELg0lcwHwYDVR0jBBgwFoAUA8ldcEofK0VcbI4KruQ7pELg0lcwDwYDVR0TAQH/
BAUwAwEB/zARBgNVHREECjAIggZiLnRlc3QwCgYIKoZIzj0EAwIDSQAwRgIhAIYX
5CMgZZcot8cqaJHZaT9oYzu1cOTYTN7F/3cndnihAiEA0EU7oZXZIC53pnyy2x+B
0CHsqSLEd5mfJpp/uyOF0w8=
-----END CERTIFICATE-----
)";

inline constexpr const char* kBKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTZqN419STyGIyR9C
+UhLN2l7ZeEE+Mw0q/HUmYMgzMihRANCAAQzM53jSTjK51XFx1FbFVpGbVHi+XzA
3/rXbLgpuwyp9T28jaXnQ+HNSeDk86XzKKupNwo+71rVNJxof/4dErpA
-----END PRIVATE KEY-----
)";

}  // namespace gk::config::testing_pems
