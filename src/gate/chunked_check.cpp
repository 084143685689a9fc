#include "gatekeeper/gate/chunked_check.hpp"

#include <algorithm>

namespace gk::gate {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_ctl(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

bool is_tchar(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
}

bool is_bws(char c) noexcept { return c == ' ' || c == '\t'; }

// qdtext (RFC 9110 5.6.4): HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text.
bool is_qdtext(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) ||
           c >= 0x80;
}

// The second byte of a quoted-pair: HTAB / SP / VCHAR / obs-text.
bool is_pair_char(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7E) || c >= 0x80;
}

}  // namespace

const char* to_string(ChunkedError e) noexcept {
    switch (e) {
        case ChunkedError::none: return "no error";
        case ChunkedError::bad_size: return "malformed chunk size";
        case ChunkedError::bad_extension: return "malformed chunk extension";
        case ChunkedError::bad_line_end: return "chunk line not ended by CRLF";
        case ChunkedError::missing_crlf: return "chunk data not followed by CRLF";
        case ChunkedError::bad_trailer: return "malformed trailer field";
        case ChunkedError::line_too_long: return "chunk line too long";
    }
    return "unknown chunked error";
}

bool ChunkedCheck::fail(ChunkedError e) noexcept {
    error_ = e;
    state_ = State::failed;
    return false;
}

// Mirrors Beast 1.81's parse_chunk_extensions, except that the line ends at
// the first CR: Beast reads a quoted-string past the CRLF and then waits for
// a closing quote that never comes, so such a line must be refused here.
bool ChunkedCheck::ext_step(char c) noexcept {
    if (c == '\n') return fail(ChunkedError::bad_line_end);
    const bool cr = c == '\r';
    switch (state_) {
        case State::ext_bws:
            if (c == ';')
                state_ = State::ext_name_start;
            else if (!is_bws(c))
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_name_start:
            if (is_tchar(c))
                state_ = State::ext_name;
            else if (!is_bws(c))
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_name:
            if (cr)
                state_ = State::size_cr;
            else if (c == ';')
                state_ = State::ext_name_start;
            else if (c == '=')
                state_ = State::ext_val_start;
            else if (is_bws(c))
                state_ = State::ext_name_bws;
            else if (!is_tchar(c))
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_name_bws:
            if (c == ';')
                state_ = State::ext_name_start;
            else if (c == '=')
                state_ = State::ext_val_start;
            else if (!is_bws(c))
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_val_start:
            if (c == '"')
                state_ = State::ext_quoted;
            else if (is_tchar(c))
                state_ = State::ext_token;
            else if (!is_bws(c))
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_token:
            if (cr)
                state_ = State::size_cr;
            else if (c == ';')
                state_ = State::ext_name_start;
            else if (is_bws(c))
                state_ = State::ext_bws;
            else if (!is_tchar(c))
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_quoted_end:
            if (cr)
                state_ = State::size_cr;
            else if (c == ';')
                state_ = State::ext_name_start;
            else if (is_bws(c))
                state_ = State::ext_bws;
            else
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_quoted:  // CR cannot occur in a quoted-string (RFC 9112 7.1.1)
            if (c == '"')
                state_ = State::ext_quoted_end;
            else if (c == '\\')
                state_ = State::ext_quoted_pair;
            else if (!is_qdtext(c))
                return fail(ChunkedError::bad_extension);
            return true;
        case State::ext_quoted_pair:
            if (!is_pair_char(c)) return fail(ChunkedError::bad_extension);
            state_ = State::ext_quoted;
            return true;
        default:
            return fail(ChunkedError::bad_extension);
    }
}

std::size_t ChunkedCheck::feed(std::string_view bytes) noexcept {
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (state_ == State::done || state_ == State::failed) return i;
        if (state_ == State::data) {
            const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size() - i));
            i += take;
            remaining_ -= take;
            if (remaining_ == 0) state_ = State::data_cr;
            continue;
        }
        const char c = bytes[i++];
        switch (state_) {
            case State::size: {
                ++line_;
                if (const int v = hex_value(c); v >= 0) {
                    if (++digits_ > 16) return fail(ChunkedError::bad_size), i;
                    remaining_ = remaining_ * 16 + static_cast<unsigned>(v);
                } else if (c == '\r') {
                    if (digits_ == 0) return fail(ChunkedError::bad_size), i;
                    state_ = State::size_cr;
                } else if (c == ';' && digits_ > 0) {
                    state_ = State::ext_name_start;
                } else if ((c == ' ' || c == '\t') && digits_ > 0) {
                    state_ = State::ext_bws;
                } else {
                    return fail(c == '\n' ? ChunkedError::bad_line_end : ChunkedError::bad_size), i;
                }
                break;
            }
            case State::ext_bws:
            case State::ext_name_start:
            case State::ext_name:
            case State::ext_name_bws:
            case State::ext_val_start:
            case State::ext_token:
            case State::ext_quoted:
            case State::ext_quoted_pair:
            case State::ext_quoted_end:
                if (++line_ > kMaxLine) return fail(ChunkedError::line_too_long), i;
                if (!ext_step(c)) return i;
                break;
            case State::size_cr:
                if (c != '\n') return fail(ChunkedError::bad_line_end), i;
                line_ = 0;
                digits_ = 0;
                state_ = remaining_ == 0 ? State::trailer_start : State::data;
                break;
            case State::data_cr:
                if (c != '\r') return fail(ChunkedError::missing_crlf), i;
                state_ = State::data_lf;
                break;
            case State::data_lf:
                if (c != '\n') return fail(ChunkedError::missing_crlf), i;
                state_ = State::size;
                break;
            case State::trailer_start:
                if (c == '\r') {
                    state_ = State::last_cr;
                } else if (c == '\n') {
                    return fail(ChunkedError::bad_line_end), i;
                } else if (!is_tchar(c)) {
                    return fail(ChunkedError::bad_trailer), i;  // includes obs-fold (SP/HTAB)
                } else {
                    trailer_colon_ = false;
                    line_ = 1;
                    state_ = State::trailer;
                }
                break;
            case State::trailer:
                if (++line_ > kMaxLine) return fail(ChunkedError::line_too_long), i;
                if (c == '\r') {
                    if (!trailer_colon_) return fail(ChunkedError::bad_trailer), i;
                    state_ = State::trailer_cr;
                } else if (c == '\n') {
                    return fail(ChunkedError::bad_line_end), i;
                } else if (!trailer_colon_) {
                    if (c == ':') trailer_colon_ = true;
                    else if (!is_tchar(c)) return fail(ChunkedError::bad_trailer), i;
                } else if (is_ctl(c)) {
                    return fail(ChunkedError::bad_trailer), i;
                }
                break;
            case State::trailer_cr:
                if (c != '\n') return fail(ChunkedError::bad_line_end), i;
                state_ = State::trailer_start;
                break;
            case State::last_cr:
                if (c != '\n') return fail(ChunkedError::bad_line_end), i;
                state_ = State::done;
                return i;
            case State::data:
            case State::done:
            case State::failed: break;
        }
        if (state_ == State::size && line_ > kMaxLine) return fail(ChunkedError::line_too_long), i;
    }
    return i;
}

}  // namespace gk::gate
