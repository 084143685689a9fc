// Strict RFC 4648 base64 (section 4) and base64url (section 5). Strictness is
// the point: a lenient decoder maps several encodings to one secret, which
// splits caches and lets a modified header pass as "the same" credentials.
#include "gatekeeper/httpauth/base64.hpp"

#include <array>
#include <cstdint>

namespace gk::httpauth {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using Table = std::array<std::int8_t, 256>;

constexpr Table make_table(const char* alphabet) {
    Table t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}

constexpr Table kStdTable = make_table(kStd);
constexpr Table kUrlTable = make_table(kUrl);

std::string encode(std::string_view in, const char* alphabet, bool pad) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[k])); };
    for (; i + 3 <= in.size(); i += 3) {
        const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out.push_back(alphabet[n >> 18 & 63]);
        out.push_back(alphabet[n >> 12 & 63]);
        out.push_back(alphabet[n >> 6 & 63]);
        out.push_back(alphabet[n & 63]);
    }
    const std::size_t rest = in.size() - i;
    if (rest == 1) {
        const std::uint32_t n = byte(i) << 16;
        out.push_back(alphabet[n >> 18 & 63]);
        out.push_back(alphabet[n >> 12 & 63]);
        if (pad) out.append("==");
    } else if (rest == 2) {
        const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
        out.push_back(alphabet[n >> 18 & 63]);
        out.push_back(alphabet[n >> 12 & 63]);
        out.push_back(alphabet[n >> 6 & 63]);
        if (pad) out.push_back('=');
    }
    return out;
}

// Decodes unpadded symbols only; the callers have already removed and checked padding.
std::optional<std::string> decode_symbols(std::string_view in, const Table& table) {
    if (in.size() % 4 == 1) return std::nullopt;  // 6 bits cannot make a byte
    std::string out;
    out.reserve(in.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char ch : in) {
        const int v = table[ch];
        if (v < 0) return std::nullopt;
        acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>(acc >> bits & 0xff));
        }
    }
    // Leftover bits (2 or 4) must be zero: otherwise a second spelling of the
    // same bytes exists (RFC 4648 section 3.5).
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return encode(bytes, kStd, true); }
std::string base64url_encode(std::string_view bytes) { return encode(bytes, kUrl, false); }

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;  // padding is required
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    const std::string_view body = text.substr(0, text.size() - pad);
    // A third '=' (or one in the middle) is rejected by the alphabet check.
    // "xx==" leaves 2 symbols, "xxx=" 3: never 1, so size % 4 == 1 cannot occur.
    return decode_symbols(body, kStdTable);
}

std::optional<std::string> base64url_decode(std::string_view text) {
    // '=' is not in the table, so any padding is rejected.
    return decode_symbols(text, kUrlTable);
}

}  // namespace gk::httpauth
