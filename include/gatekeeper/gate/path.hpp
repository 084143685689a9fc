#pragma once
// Request-target normalization (SECURITY.md 5.2). The path produced here is the
// one that is matched against routes AND the one forwarded upstream, so a rule
// on /admin cannot be dodged by spelling /admin differently.
//
// What normalize_target does to the path, in this order:
//   - refuses '#', raw CTL/space, raw non-ASCII, ';' path parameters, '\'
//   - decodes %XX of unreserved characters (ALPHA DIGIT - . _ ~), exactly once
//   - refuses %2F, %5C, %00-%1F, %7F, %3B, malformed '%', invalid UTF-8 in escapes
//   - keeps every other escape, with upper-case hex (%2a -> %2A)
//   - percent-encodes the few printable characters RFC 3986 forbids raw in a
//     path (" < > [ ] ^ ` { | }) so both spellings end up the same string
//   - merges "//", removes "." and ".." (RFC 3986 5.2.4), refusing ".." above "/"
//   - keeps a trailing slash ("/admin/." -> "/admin/")
// The result is a fixed point: normalizing it again returns it unchanged.
#include <cstddef>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"

namespace gk::gate {

enum class PathError {
    empty,
    not_origin_form,    // does not start with '/', raw non-ASCII byte, or bad absolute-form
    fragment,           // '#' anywhere in the target
    bad_percent,        // '%' not followed by two hex digits
    encoded_slash,      // %2F
    encoded_backslash,  // %5C or a raw '\'
    nul_or_ctl,         // raw CTL/space, or %00-%1F / %7F
    bad_utf8,           // escapes >= %80 that do not decode to valid UTF-8 (overlongs included)
    path_parameter,     // ';' (or %3B) in the path
    too_long,           // longer than max_len
};

const char* to_string(PathError e) noexcept;

struct SplitTarget {
    std::string path;   // normalized, always starts with '/'
    std::string query;  // raw, without the '?'; empty if none
};

// request_target is origin-form ("/path?query"). Absolute-form goes through
// split_absolute_form first; asterisk-form ("*") is refused here.
Result<SplitTarget, PathError> normalize_target(std::string_view request_target, std::size_t max_len = 8192);

struct AbsoluteTarget {
    std::string scheme;          // "http" or "https", lower-case
    std::string authority;       // host[:port] as sent (no userinfo), never empty
    std::string path_and_query;  // "/..." (an empty path becomes "/"), not yet normalized
};

// "http://host:port/path?q" (RFC 9112 3.2.2). Only http and https, no userinfo,
// no fragment. The path is returned raw: pass it to normalize_target.
Result<AbsoluteTarget, PathError> split_absolute_form(std::string_view target);

// host [":" port] as in a Host field or an absolute-form target: a reg-name of
// unreserved characters (no userinfo, pct-encoding or sub-delims, which real
// host names never need) or an IPv6 "[...]" literal, and a port of 1-5 digits.
bool is_valid_authority(std::string_view authority) noexcept;

// Segment-boundary prefix match on normalized paths: "/admin" matches "/admin"
// and "/admin/x", never "/administrator". A prefix ending in '/' also matches
// the same path without the slash ("/admin/" matches "/admin"): otherwise a
// route written as /admin/ would leave /admin itself to a later, possibly less
// protected route, while most upstreams serve /admin and /admin/ alike.
// case_insensitive folds ASCII letters only. An empty prefix matches nothing
// (config must give a path starting with '/'; "/" matches everything).
bool path_has_prefix(std::string_view path, std::string_view prefix, bool case_insensitive) noexcept;

}  // namespace gk::gate
