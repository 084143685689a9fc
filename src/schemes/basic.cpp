// RFC 7617 Basic credentials: strict on every layer so that one header value
// has exactly one meaning (no lenient base64, no CTLs, well-formed UTF-8 only;
// we always advertise charset="UTF-8").
#include "gatekeeper/schemes/basic.hpp"

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/httpauth/utf8.hpp"

namespace gk::schemes {
namespace {

// Longest base64 text that can decode to at most kMaxBasicDecoded octets; checked
// before decoding so an oversized header costs nothing.
constexpr std::size_t kMaxEncoded = (kMaxBasicDecoded + 2) / 3 * 4;

bool has_ctl(std::string_view s) noexcept {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return true;
    }
    return false;
}

}  // namespace

const char* to_string(BasicError e) noexcept {
    switch (e) {
        case BasicError::not_basic: return "scheme is not Basic";
        case BasicError::missing_token: return "Basic credentials without a token68";
        case BasicError::bad_base64: return "Basic credentials are not strict base64";
        case BasicError::no_colon: return "Basic user-pass has no colon";
        case BasicError::control_char: return "Basic user-id or password contains a control character";
        case BasicError::bad_utf8: return "Basic user-id or password is not UTF-8";
        case BasicError::too_long: return "Basic credentials too long";
    }
    return "unknown Basic error";
}

Result<BasicCredentials, BasicError> decode_basic(const httpauth::Credentials& c) {
    if (!httpauth::iequals(c.scheme, "Basic")) return fail(BasicError::not_basic);
    if (!c.token68 || !c.params.empty()) return fail(BasicError::missing_token);
    if (c.token68->size() > kMaxEncoded) return fail(BasicError::too_long);
    auto decoded = httpauth::base64_decode(*c.token68);
    if (!decoded) return fail(BasicError::bad_base64);
    // Wrap at once so the plaintext is wiped on every path out of here.
    const Secret user_pass(std::move(*decoded));
    // A short string lives inside the moved-from object (SSO), not on the heap:
    // overwrite that buffer too.
    decoded->resize(decoded->capacity());
    const std::string_view text = user_pass.reveal();
    if (text.size() > kMaxBasicDecoded) return fail(BasicError::too_long);
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return fail(BasicError::no_colon);
    if (has_ctl(text)) return fail(BasicError::control_char);
    if (!httpauth::is_utf8(text)) return fail(BasicError::bad_utf8);
    BasicCredentials out;
    out.user.assign(text.substr(0, colon));
    out.password = Secret(text.substr(colon + 1));
    return out;
}

httpauth::Challenge basic_challenge(std::string_view realm) {
    httpauth::Challenge c;
    c.scheme = "Basic";
    c.params.push_back({"realm", std::string(realm), true});
    c.params.push_back({"charset", "UTF-8", true});
    return c;
}

}  // namespace gk::schemes
