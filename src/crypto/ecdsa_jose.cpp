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

// One DER INTEGER for a positive big-endian value of `size` bytes (not zero:
// checked before): leading zero octets dropped, one put back when the top
// bit is set (X.690 section 8.3: minimal two's complement). Returns the end.
unsigned char* put_integer(unsigned char* out, const unsigned char* v, std::size_t size) noexcept {
    std::size_t skip = 0;
    while (skip + 1 < size && v[skip] == 0) ++skip;
    const bool pad = (v[skip] & 0x80) != 0;
    const std::size_t len = size - skip + (pad ? 1 : 0);  // <= 67: short-form length
    *out++ = 0x02;
    *out++ = static_cast<unsigned char>(len);
    if (pad) *out++ = 0x00;
    std::memcpy(out, v + skip, size - skip);
    return out + (size - skip);
}

}  // namespace

std::size_t ecdsa_jose_to_der(Curve curve, std::string_view sig, unsigned char* der) noexcept {
    const std::size_t size = coordinate_size(curve);
    const Order* order = order_of(curve);
    if (order == nullptr || size == 0 || sig.size() != 2 * size) return 0;
    const auto* r = reinterpret_cast<const unsigned char*>(sig.data());
    const auto* s = r + size;
    if (!in_range(r, order->bytes.data(), size) || !in_range(s, order->bytes.data(), size)) return 0;

    // SEQUENCE { INTEGER r, INTEGER s } written directly: the bytes
    // i2d_ECDSA_SIG gives, without two BIGNUMs and an ECDSA_SIG allocated per
    // token. The content is built first because its length comes first (in
    // long form, 0x81 n, only for P-521).
    std::array<unsigned char, kMaxEcdsaDer> body;
    unsigned char* end = put_integer(body.data(), r, size);
    end = put_integer(end, s, size);
    const auto content = static_cast<std::size_t>(end - body.data());
    std::size_t n = 0;
    der[n++] = 0x30;
    if (content >= 0x80) der[n++] = 0x81;
    der[n++] = static_cast<unsigned char>(content);
    if (n + content > kMaxEcdsaDer) return 0;
    std::memcpy(der + n, body.data(), content);
    return n + content;
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
