// A boost::json::basic_parser handler that builds the value exactly as
// boost::json::parser does (value_stack) and, on the side, keeps one set of
// member names per open object.
#include "jose/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

namespace gk::jose::detail {
namespace {

namespace json = boost::json;

struct StrictHandler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    json::value_stack st;
    std::vector<std::unordered_set<std::string>> names;  // one set per open object
    std::string key;                                     // a key arriving in parts
    bool duplicate = false;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) {
        names.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t n, json::error_code&) {
        names.pop_back();
        st.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key.append(s.data(), s.size());
        st.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
        key.append(s.data(), s.size());
        if (!names.back().insert(std::move(key)).second) {
            duplicate = true;
            ec = json::error::syntax;  // stops the parser; reported as duplicate_member
            return false;
        }
        key.clear();
        st.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        st.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view, json::error_code& ec) {
        // 1e400 parses to infinity in Boost.JSON 1.81; such a value has no JSON
        // spelling to serialize back to, so it is refused as malformed.
        if (!std::isfinite(d)) {
            ec = json::error::exponent_overflow;
            return false;
        }
        st.push_double(d);
        return true;
    }
    bool on_bool(bool b, json::error_code&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

Result<json::object, JoseError> parse_object(std::string_view text, std::size_t max_depth) {
    json::parse_options opt;  // standard JSON only: no comments, no trailing commas, UTF-8 checked
    opt.max_depth = max_depth;
    json::basic_parser<StrictHandler> p(opt);
    p.handler().st.reset();
    json::error_code ec;
    std::size_t used = 0;
    try {
        used = p.write_some(false, text.data(), text.size(), ec);
    } catch (const std::exception&) {  // allocation failure or a size limit inside Boost.JSON
        return fail(JoseError::bad_json);
    }
    if (p.handler().duplicate) return fail(JoseError::duplicate_member);
    if (ec || !p.done() || used != text.size()) return fail(JoseError::bad_json);
    json::value v = p.handler().st.release();
    if (!v.is_object()) return fail(JoseError::bad_json);
    return std::move(v.get_object());
}

}  // namespace gk::jose::detail
