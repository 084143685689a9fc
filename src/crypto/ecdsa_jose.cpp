// ECDSA signatures between the JOSE form (fixed-size R||S, RFC 7518 section
// 3.4, IEEE P1363) and the DER form OpenSSL speaks.
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "crypto/evp_ptr.hpp"
#include "crypto/signature_internal.hpp"

namespace gk::crypto::detail {
namespace {

constexpr std::size_t kMaxCoord = 66;

// The group order n, big-endian, padded to coordinate_size(curve) bytes.
struct Order {
    std::array<unsigned char, kMaxCoord> bytes{};
    bool ok = false;
};

Order load_order(int nid, std::size_t size) noexcept {
    Order o;
    EcGroupPtr group(EC_GROUP_new_by_curve_name(nid));
    const BIGNUM* n = group ? EC_GROUP_get0_order(group.get()) : nullptr;
    o.ok = n != nullptr && BN_bn2binpad(n, o.bytes.data(), static_cast<int>(size)) == static_cast<int>(size);
    ERR_clear_error();
    return o;
}

const Order* order_of(Curve curve) noexcept {
    static const Order p256 = load_order(NID_X9_62_prime256v1, 32);
    static const Order p384 = load_order(NID_secp384r1, 48);
    static const Order p521 = load_order(NID_secp521r1, 66);
    const Order* o = nullptr;
    switch (curve) {
        case Curve::p256:
            o = &p256;
            break;
        case Curve::p384:
            o = &p384;
            break;
        case Curve::p521:
            o = &p521;
            break;
        case Curve::none:
            break;
    }
    return o != nullptr && o->ok ? o : nullptr;
}

// 1 <= v <= n-1, for fixed-size big-endian v and n of the same length.
bool in_range(const unsigned char* v, const unsigned char* n, std::size_t size) noexcept {
    const bool zero = std::all_of(v, v + size, [](unsigned char b) { return b == 0; });
    return !zero && std::memcmp(v, n, size) < 0;
}

}  // namespace

std::size_t ecdsa_jose_to_der(Curve curve, std::string_view sig, unsigned char* der) noexcept {
    const std::size_t size = coordinate_size(curve);
    const Order* order = order_of(curve);
    if (order == nullptr || size == 0 || sig.size() != 2 * size) return 0;
    const auto* r = reinterpret_cast<const unsigned char*>(sig.data());
    const auto* s = r + size;
    if (!in_range(r, order->bytes.data(), size) || !in_range(s, order->bytes.data(), size)) return 0;

    EcdsaSigPtr es(ECDSA_SIG_new());
    BIGNUM* br = BN_bin2bn(r, static_cast<int>(size), nullptr);
    BIGNUM* bs = BN_bin2bn(s, static_cast<int>(size), nullptr);
    if (!es || br == nullptr || bs == nullptr || ECDSA_SIG_set0(es.get(), br, bs) != 1) {
        BN_free(br);
        BN_free(bs);
        ERR_clear_error();
        return 0;
    }
    // ECDSA_SIG owns r and s from here.
    const int len = i2d_ECDSA_SIG(es.get(), nullptr);
    if (len <= 0 || static_cast<std::size_t>(len) > kMaxEcdsaDer) return 0;
    unsigned char* p = der;
    return i2d_ECDSA_SIG(es.get(), &p) == len ? static_cast<std::size_t>(len) : 0;
}

std::string ecdsa_der_to_jose(Curve curve, const unsigned char* der, std::size_t len) {
    const std::size_t size = coordinate_size(curve);
    const unsigned char* p = der;
    EcdsaSigPtr es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
    if (!es || size == 0) {
        ERR_clear_error();
        return {};
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(es.get(), &r, &s);
    std::string out(2 * size, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    const int n = static_cast<int>(size);
    if (BN_bn2binpad(r, o, n) != n || BN_bn2binpad(s, o + size, n) != n) return {};
    return out;
}

}  // namespace gk::crypto::detail
