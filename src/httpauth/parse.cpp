// Recursive-descent parser for the RFC 9110 section 11 grammar:
//
//   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param  = token BWS "=" BWS ( token / quoted-string )
//   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//   WWW-Authenticate = #challenge          Authorization = credentials
//
// with the recipient leniency RFC 9110 section 5.6.1.2 grants (empty list
// elements) and nothing more. The subtle part is that commas separate both
// challenges and the auth-params inside one: after a comma, "token BWS =" starts
// another auth-param of the current challenge, anything else starts a new challenge.
#include <string>

#include "gatekeeper/httpauth/challenge.hpp"
#include "httpauth/chars.hpp"

namespace gk::httpauth {
namespace {

using detail::is_ows;

class Parser {
public:
    explicit Parser(std::string_view s) : s_(s) {}

    [[nodiscard]] bool at_end() const noexcept { return pos_ >= s_.size(); }
    [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
    [[nodiscard]] unsigned char peek(std::size_t ahead = 0) const noexcept {
        return pos_ + ahead < s_.size() ? static_cast<unsigned char>(s_[pos_ + ahead]) : 0;
    }
    [[nodiscard]] bool has(std::size_t ahead = 0) const noexcept { return pos_ + ahead < s_.size(); }

    void skip_ows() noexcept {
        while (has() && is_ows(peek())) ++pos_;
    }

    // Skips OWS and any run of empty list elements (",  , ,").
    void skip_empty_elements() noexcept {
        for (;;) {
            skip_ows();
            if (has() && peek() == ',') { ++pos_; continue; }
            return;
        }
    }

    std::string_view token() noexcept {
        const std::size_t start = pos_;
        while (has() && detail::is_tchar(peek())) ++pos_;
        return s_.substr(start, pos_ - start);
    }

    // True when the text at the cursor is "token BWS =": an auth-param rather
    // than the scheme of a new challenge. Does not move the cursor.
    [[nodiscard]] bool looks_like_param() const noexcept {
        std::size_t i = pos_;
        while (i < s_.size() && detail::is_tchar(static_cast<unsigned char>(s_[i]))) ++i;
        if (i == pos_) return false;
        while (i < s_.size() && is_ows(static_cast<unsigned char>(s_[i]))) ++i;
        return i < s_.size() && s_[i] == '=';
    }

    // If the cursor starts a token68 that fills the rest of the element (only OWS
    // then ',' or the end follow), returns its length; otherwise 0.
    [[nodiscard]] std::size_t token68_length() const noexcept {
        std::size_t i = pos_ + detail::class_run(detail::kClass<detail::is_token68_rule>, s_, pos_);
        if (i == pos_) return 0;
        while (i < s_.size() && s_[i] == '=') ++i;
        const std::size_t end = i;
        while (i < s_.size() && is_ows(static_cast<unsigned char>(s_[i]))) ++i;
        return (i == s_.size() || s_[i] == ',') ? end - pos_ : 0;
    }

    Result<AuthParam, ParseError> auth_param() {
        AuthParam p;
        const std::string_view name = token();
        if (name.empty()) return fail(ParseError::bad_param);
        p.name.reserve(name.size());
        for (char c : name) p.name.push_back(detail::to_lower(c));
        skip_ows();  // BWS
        if (!has() || peek() != '=') return fail(ParseError::bad_param);
        ++pos_;
        skip_ows();  // BWS
        if (has() && peek() == '"') {
            auto q = quoted_string();
            if (!q) return fail(q.error());
            p.value = std::move(q.value());
            p.quoted = true;
        } else {
            const std::string_view v = token();
            if (v.empty()) return fail(ParseError::bad_param);
            p.value.assign(v);
        }
        return p;
    }

    Result<std::string, ParseError> quoted_string() {
        ++pos_;  // opening DQUOTE
        std::string out;
        while (has()) {
            const unsigned char c = peek();
            if (c == '"') { ++pos_; return out; }
            if (c == '\\') {
                if (!has(1) || !detail::is_quotable(peek(1))) return fail(ParseError::bad_quoted_string);
                out.push_back(static_cast<char>(peek(1)));
                pos_ += 2;
                continue;
            }
            if (!detail::is_qdtext(c)) return fail(ParseError::bad_quoted_string);
            out.push_back(static_cast<char>(c));
            ++pos_;
        }
        return fail(ParseError::bad_quoted_string);  // unterminated
    }

    // One challenge (or credentials) starting at a scheme. Leaves the cursor
    // after the last thing that belongs to it (before a separating comma).
    Result<Challenge, ParseError> challenge() {
        Challenge c;
        const std::string_view scheme = token();
        if (scheme.empty()) return fail(ParseError::bad_scheme);
        c.scheme.assign(scheme);
        if (at_end() || peek() == ',') return c;
        if (!is_ows(peek())) return fail(ParseError::bad_scheme);

        // Whitespace after the scheme: before the end or a comma it is just OWS;
        // before a token68 or auth-param it must be 1*SP (no HTAB).
        const std::size_t ws_start = pos_;
        skip_ows();
        if (at_end() || peek() == ',') {
            // "Basic , realm=x": after 1*SP the #auth-param list may open with an
            // empty element. "Basic\t, x": HTAB is only OWS before the list comma.
            if (at_end() || s_[ws_start] != ' ') return c;
            return params_after(c, true);
        }
        for (std::size_t i = ws_start; i < pos_; ++i) {
            if (s_[i] != ' ') return fail(ParseError::bad_scheme);
        }
        if (const std::size_t n = token68_length(); n > 0) {
            c.token68.emplace(s_.substr(pos_, n));
            pos_ += n;
            return c;
        }
        if (!looks_like_param()) return fail(ParseError::bad_param);
        return params_after(c, false);
    }

private:
    // The #auth-param list. With at_comma the list starts with empty elements.
    Result<Challenge, ParseError> params_after(Challenge& c, bool at_comma) {
        if (!at_comma && at_end()) return std::move(c);
        for (;;) {
            if (at_comma) {
                const std::size_t comma = pos_;
                skip_empty_elements();
                if (at_end()) return std::move(c);
                if (!looks_like_param()) {
                    pos_ = comma;  // the comma separates this challenge from the next
                    return std::move(c);
                }
            }
            auto p = auth_param();
            if (!p) return fail(p.error());
            c.params.push_back(std::move(p.value()));
            skip_ows();
            if (at_end()) return std::move(c);
            if (peek() != ',') return fail(ParseError::trailing_garbage);
            at_comma = true;
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && is_ows(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// A user agent MUST replace each obs-fold (OWS CRLF 1*(SP/HTAB)) with SP before
// interpreting a response field (RFC 9112 section 5.2). Any other CR or LF is
// an error. Returns false on a bare CR/LF.
bool unfold(std::string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c != '\r' && c != '\n') { out.push_back(c); continue; }
        if (c != '\r' || i + 2 >= in.size() || in[i + 1] != '\n' || !is_ows(static_cast<unsigned char>(in[i + 2]))) {
            return false;
        }
        while (!out.empty() && is_ows(static_cast<unsigned char>(out.back()))) out.pop_back();
        out.push_back(' ');
        i += 2;
        while (i + 1 < in.size() && is_ows(static_cast<unsigned char>(in[i + 1]))) ++i;
    }
    return true;
}

}  // namespace

Result<std::vector<Challenge>, ParseError> parse_challenges(std::string_view field_value) {
    if (field_value.size() > kMaxFieldSize) return fail(ParseError::too_long);
    std::string unfolded;
    if (field_value.find_first_of("\r\n") != std::string_view::npos) {
        if (!unfold(field_value, unfolded)) return fail(ParseError::trailing_garbage);
        field_value = unfolded;
    }
    Parser p(trim_ows(field_value));
    std::vector<Challenge> out;
    p.skip_empty_elements();
    while (!p.at_end()) {
        auto c = p.challenge();
        if (!c) return fail(c.error());
        out.push_back(std::move(c.value()));
        p.skip_ows();
        if (p.at_end()) break;
        if (p.peek() != ',') return fail(ParseError::trailing_garbage);
        p.skip_empty_elements();
    }
    return out;
}

Result<Credentials, ParseError> parse_credentials(std::string_view field_value) {
    if (field_value.size() > kMaxFieldSize) return fail(ParseError::too_long);
    // A request field is never unfolded: a server rejects obs-fold (RFC 9112 5.2),
    // and CR/LF fit no rule, so they surface as errors below.
    Parser p(trim_ows(field_value));
    if (p.at_end()) return fail(ParseError::empty);
    auto c = p.challenge();
    if (!c) return fail(c.error());
    p.skip_ows();
    // Authorization holds exactly one credentials: no list, no trailing comma.
    if (!p.at_end()) return fail(ParseError::trailing_garbage);
    return std::move(c.value());
}

}  // namespace gk::httpauth
