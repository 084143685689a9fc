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
// Whole quads first, four symbols to three bytes straight into the result (a
// JWT is several hundred symbols, decoded on every Bearer request), then the
// tail of two or three symbols.
std::optional<std::string> decode_symbols(std::string_view in, const Table& table) {
    const std::size_t rest = in.size() % 4;
    if (rest == 1) return std::nullopt;  // 6 bits cannot make a byte
    const std::size_t quads = in.size() / 4;
    std::string out(quads * 3 + (rest == 0 ? 0 : rest - 1), '\0');
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    for (std::size_t q = 0; q < quads; ++q, p += 4, o += 3) {
        const int a = table[p[0]], b = table[p[1]], c = table[p[2]], d = table[p[3]];
        if ((a | b | c | d) < 0) return std::nullopt;
        const auto n = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
        o[0] = static_cast<unsigned char>(n >> 16);
        o[1] = static_cast<unsigned char>(n >> 8);
        o[2] = static_cast<unsigned char>(n);
    }
    if (rest == 0) return out;
    const int a = table[p[0]], b = table[p[1]], c = rest == 3 ? table[p[2]] : 0;
    if ((a | b | c) < 0) return std::nullopt;
    // Leftover bits (4 after two symbols, 2 after three) must be zero:
    // otherwise a second spelling of the same bytes exists (RFC 4648 section 3.5).
    if (rest == 2 ? (b & 0x0f) != 0 : (c & 0x03) != 0) return std::nullopt;
    const auto n = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6);
    o[0] = static_cast<unsigned char>(n >> 16);
    if (rest == 3) o[1] = static_cast<unsigned char>(n >> 8);
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
