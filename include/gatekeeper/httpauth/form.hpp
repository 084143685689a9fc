#pragma once
// application/x-www-form-urlencoded bodies and URL query strings (WHATWG URL
// standard, "application/x-www-form-urlencoded parsing"): '&'-separated
// name=value pairs, '+' is a space, %XX is a byte. Stricter than the WHATWG
// parser where leniency would let two readers disagree: a malformed %-escape is
// an error (not kept literally), decoded text must be UTF-8 and never holds NUL.
// Limits are checked before any decoding. Sans-I/O: string_view in, value out.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::httpauth {

enum class FormError {
    too_large,        // input longer than FormLimits::max_size
    too_many_fields,  // more than FormLimits::max_fields pairs
    bad_percent,      // '%' not followed by two hex digits
    bad_utf8,         // a decoded name or value is not well-formed UTF-8
    nul_byte,         // a decoded name or value holds U+0000
    duplicate,        // single(): the parameter appears more than once
};
const char* to_string(FormError) noexcept;

struct FormLimits {
    std::size_t max_size = 64 * 1024;  // bytes of encoded input
    std::size_t max_fields = 100;      // name=value pairs (empty pieces between '&' do not count)
};

struct FormField {
    std::string name;   // decoded
    std::string value;  // decoded; empty when the pair had no '='
    friend bool operator==(const FormField&, const FormField&) = default;
};

// The pairs in input order; names compare byte for byte (case-sensitive).
class Form {
public:
    Form() = default;
    explicit Form(std::vector<FormField> fields) : fields_(std::move(fields)) {}

    [[nodiscard]] const std::vector<FormField>& fields() const noexcept { return fields_; }
    [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }

    [[nodiscard]] std::size_t count(std::string_view name) const noexcept;
    [[nodiscard]] bool contains(std::string_view name) const noexcept { return count(name) != 0; }
    // First value of `name`, or nullopt. For OAuth parameters use single().
    [[nodiscard]] std::optional<std::string_view> first(std::string_view name) const noexcept;
    // Every value of `name`, in order.
    [[nodiscard]] std::vector<std::string_view> all(std::string_view name) const;
    // RFC 6749 sections 3.1 and 3.2: "Request and response parameters MUST NOT
    // be included more than once." Absent -> nullopt; once -> its value (an
    // empty value is returned as such: RFC 6749 treats "parameters sent
    // without a value" as omitted, which the caller decides); twice or more ->
    // FormError::duplicate.
    [[nodiscard]] Result<std::optional<std::string_view>, FormError> single(std::string_view name) const;

private:
    std::vector<FormField> fields_;
};

// A request body (Content-Type application/x-www-form-urlencoded).
Result<Form, FormError> parse_form(std::string_view body, FormLimits limits = {});
// A URL query: the same grammar; one leading '?' is skipped if present.
Result<Form, FormError> parse_query(std::string_view query, FormLimits limits = {});

// Percent-decode one form component ('+' is a space). Errors as parse_form.
Result<std::string, FormError> form_decode(std::string_view component);

// RFC 3986 percent-encoding of every byte but the unreserved set
// (ALPHA / DIGIT / "-" / "." / "_" / "~"), upper-case hex. Safe in a query
// name or value, a path segment and a form body alike; parse_form inverts it.
std::string percent_encode(std::string_view bytes);
// "n1=v1&n2=v2" with percent_encode on every name and value.
std::string encode_form(const std::vector<FormField>& fields);
// url + ('?' or '&') + encode_form(params); url is returned unchanged when
// params is empty. A fragment in url is kept after the new query.
std::string append_query(std::string_view url, const std::vector<FormField>& params);

}  // namespace gk::httpauth
