#include "server/trust.hpp"

namespace gk::server {
namespace {

bool in_cidr(const gate::Cidr& c, const unsigned char* addr, std::size_t len) {
    if (c.bytes.size() != len) return false;
    unsigned bits = c.prefix;
    for (std::size_t i = 0; i < len && bits > 0; ++i) {
        const unsigned take = bits >= 8 ? 8 : bits;
        const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
        if ((addr[i] & mask) != (c.bytes[i] & mask)) return false;
        bits -= take;
    }
    return true;
}

}  // namespace

bool is_trusted(const std::vector<gate::Cidr>& trusted, const asio::ip::address& peer) {
    asio::ip::address a = peer;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    for (const auto& c : trusted) {
        if (a.is_v4()) {
            auto b = a.to_v4().to_bytes();
            if (in_cidr(c, b.data(), b.size())) return true;
        } else {
            auto b = a.to_v6().to_bytes();
            if (in_cidr(c, b.data(), b.size())) return true;
        }
    }
    return false;
}

}  // namespace gk::server
