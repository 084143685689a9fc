#include "gatekeeper/httpauth/form.hpp"

#include <algorithm>

#include "gatekeeper/httpauth/utf8.hpp"

namespace gk::httpauth {

const char* to_string(FormError e) noexcept {
    switch (e) {
        case FormError::too_large:
            return "form too large";
        case FormError::too_many_fields:
            return "too many form fields";
        case FormError::bad_percent:
            return "malformed percent-escape";
        case FormError::bad_utf8:
            return "form text is not UTF-8";
        case FormError::nul_byte:
            return "form text contains NUL";
        case FormError::duplicate:
            return "parameter included more than once";
    }
    return "form error";
}

namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

template <class F>
void for_each_piece(std::string_view s, F&& f) {
    while (!s.empty()) {
        const auto amp = s.find('&');
        const auto piece = s.substr(0, amp);
        if (!piece.empty()) f(piece);
        if (amp == std::string_view::npos) break;
        s.remove_prefix(amp + 1);
    }
}

}  // namespace

Result<std::string, FormError> form_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= in.size()) return fail(FormError::bad_percent);
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return fail(FormError::bad_percent);
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    if (out.find('\0') != std::string::npos) return fail(FormError::nul_byte);
    if (!httpauth::is_utf8(out)) return fail(FormError::bad_utf8);
    return out;
}

Result<Form, FormError> parse_form(std::string_view body, FormLimits limits) {
    if (body.size() > limits.max_size) return fail(FormError::too_large);
    std::size_t pieces = 0;
    for_each_piece(body, [&](std::string_view) { ++pieces; });
    if (pieces > limits.max_fields) return fail(FormError::too_many_fields);

    std::vector<FormField> fields;
    fields.reserve(pieces);
    std::optional<FormError> err;
    for_each_piece(body, [&](std::string_view piece) {
        if (err) return;
        const auto eq = piece.find('=');
        auto name = form_decode(piece.substr(0, eq));
        if (!name) {
            err = name.error();
            return;
        }
        auto value = form_decode(eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1));
        if (!value) {
            err = value.error();
            return;
        }
        fields.push_back({std::move(name).value(), std::move(value).value()});
    });
    if (err) return fail(*err);
    return Form(std::move(fields));
}

Result<Form, FormError> parse_query(std::string_view query, FormLimits limits) {
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    return parse_form(query, limits);
}

std::size_t Form::count(std::string_view name) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(fields_.begin(), fields_.end(), [&](const FormField& f) { return f.name == name; }));
}

std::optional<std::string_view> Form::first(std::string_view name) const noexcept {
    for (const auto& f : fields_)
        if (f.name == name) return std::string_view(f.value);
    return std::nullopt;
}

std::vector<std::string_view> Form::all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& f : fields_)
        if (f.name == name) out.emplace_back(f.value);
    return out;
}

Result<std::optional<std::string_view>, FormError> Form::single(std::string_view name) const {
    std::optional<std::string_view> found;
    for (const auto& f : fields_) {
        if (f.name != name) continue;
        if (found) return fail(FormError::duplicate);
        found = f.value;
    }
    return found;
}

std::string percent_encode(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size());
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0F];
        }
    }
    return out;
}

std::string encode_form(const std::vector<FormField>& fields) {
    std::string out;
    for (const auto& f : fields) {
        if (!out.empty()) out += '&';
        out += percent_encode(f.name);
        out += '=';
        out += percent_encode(f.value);
    }
    return out;
}

std::string append_query(std::string_view url, const std::vector<FormField>& params) {
    if (params.empty()) return std::string(url);
    const auto hash = url.find('#');
    const std::string_view base = url.substr(0, hash);
    const std::string_view fragment = hash == std::string_view::npos ? std::string_view{} : url.substr(hash);
    std::string out(base);
    const auto q = base.find('?');
    if (q == std::string_view::npos) {
        out += '?';
    } else if (q + 1 != base.size() && base.back() != '&') {
        out += '&';
    }
    out += encode_form(params);
    out += fragment;
    return out;
}

}  // namespace gk::httpauth
