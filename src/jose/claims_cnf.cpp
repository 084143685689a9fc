// The confirmation claim (RFC 7800 section 3.1) with RFC 8705's x5t#S256
// member: only its shape is checked here; matching it against the client
// certificate of the connection is the Bearer check's job.
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/claims.hpp"

namespace gk::jose {

Result<std::optional<Confirmation>, JoseError> parse_confirmation(const Claims& c) {
    const boost::json::value* v = c.raw.if_contains("cnf");
    if (v == nullptr) return std::optional<Confirmation>();
    if (!v->is_object()) return fail(JoseError::bad_claim);
    Confirmation out;
    for (const auto& member : v->get_object()) {
        if (member.key() != "x5t#S256") {
            out.other_methods.emplace_back(member.key());
            continue;
        }
        if (!member.value().is_string()) return fail(JoseError::bad_claim);
        const std::string_view text = member.value().get_string();
        // A SHA-256 value: exactly 32 bytes once decoded, in canonical base64url.
        auto bytes = httpauth::base64url_decode(text);
        if (!bytes || bytes->size() != 32) return fail(JoseError::bad_claim);
        out.x5t_s256 = std::string(text);
    }
    // RFC 7800 3.1: cnf holds at least one confirmation method.
    if (v->get_object().empty()) return fail(JoseError::bad_claim);
    return std::optional<Confirmation>(std::move(out));
}

}  // namespace gk::jose
