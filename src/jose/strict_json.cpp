// A boost::json::basic_parser handler that builds the value exactly as
// boost::json::parser does (value_stack) and, on the side, keeps the member
// names of each open object: a short list compared in place while an object
// is small (every JOSE header and almost every claims set: no hashing, no
// node allocation per name), a hash set once it grows, so that a token of
// thousands of members still costs linear time.
#include "jose/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>
#include <array>
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

    // Names of one open object. Frames are reused by later objects at the
    // same depth, strings keep their capacity.
    struct Names {
        static constexpr std::size_t kListed = 16;  // above this, the hash set
        std::vector<std::string> listed;
        std::size_t count = 0;
        std::unordered_set<std::string> hashed;

        void reset() {
            count = 0;
            hashed.clear();
        }
        // False when `name` is already there.
        bool insert(std::string_view name) {
            if (count < kListed) {
                for (std::size_t i = 0; i < count; ++i)
                    if (listed[i] == name) return false;
                if (listed.size() == count) listed.emplace_back(name);
                else listed[count].assign(name);
                ++count;
                return true;
            }
            if (count == kListed) hashed.insert(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(kListed));
            if (!hashed.emplace(name).second) return false;
            ++count;
            return true;
        }
    };

    // The parser's own stack starts in the caller's buffer (on its stack).
    StrictHandler(unsigned char* temp, std::size_t size) : st(json::storage_ptr(), temp, size) {}

    json::value_stack st;
    std::vector<Names> names;  // [0, depth): the open objects
    std::size_t depth = 0;
    std::string key;           // a key arriving in parts
    bool duplicate = false;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) {
        if (depth == names.size()) names.emplace_back();
        names[depth++].reset();
        return true;
    }
    bool on_object_end(std::size_t n, json::error_code&) {
        --depth;
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
        // A key in one piece is checked as it stands; one that came in parts
        // is whole only now, in `key`.
        bool fresh = false;
        if (key.empty()) {
            fresh = names[depth - 1].insert(std::string_view(s.data(), s.size()));
        } else {
            key.append(s.data(), s.size());
            fresh = names[depth - 1].insert(key);
            key.clear();
        }
        if (!fresh) {
            duplicate = true;
            ec = json::error::syntax;  // stops the parser; reported as duplicate_member
            return false;
        }
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
    // The value lives in one growing arena that it owns (a shared, reference-
    // counted monotonic resource): a claims set or header is built with a
    // couple of allocations instead of one per member and string, and the
    // arena goes with the last value that uses it. Nothing edits these values.
    std::array<unsigned char, 2048> temp;
    json::basic_parser<StrictHandler> p(opt, temp.data(), temp.size());
    p.handler().st.reset(json::make_shared_resource<json::monotonic_resource>(2 * text.size() + 256));
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
