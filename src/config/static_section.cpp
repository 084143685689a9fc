// A route's `static:`: files gatekeeper serves itself instead of an upstream.
//   static: web/spa                                   # the folder, relative to the config file
//   static: { root: web/spa, fallback: index.html,    # unknown paths without a file type get it
//             csp: "default-src 'self'" }             # Content-Security-Policy of every answer
#include <filesystem>
#include <system_error>

#include "config/sections.hpp"

namespace gk::config::detail {
namespace {

bool safe_header_value(const std::string& v) {
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

void read_root(Ctx& ctx, const Field& f, gate::StaticFiles& out) {
    auto s = read_string(ctx, f);
    if (!s) return;
    if (s->empty()) {
        ctx.error(f.mark(), "'static' needs a folder", "static: web/spa");
        return;
    }
    out.root = ctx.resolve(*s);
    std::error_code ec;
    if (!std::filesystem::is_directory(out.root, ec))
        ctx.error(f.mark(), "static folder " + out.root + " does not exist or is not a folder");
}

}  // namespace

void read_static(Ctx& ctx, const Field& f, gate::StaticFiles& out) {
    if (f.value.IsScalar()) {
        read_root(ctx, f, out);
        return;
    }
    if (!f.value.IsMap()) {
        ctx.error(f.mark(), "'static' must be a folder or a map", "static: { root: web/spa, fallback: index.html }");
        return;
    }
    Fields fields(ctx, f.value, {"root", "fallback", "csp"});
    if (auto* x = fields.get("root")) read_root(ctx, *x, out);
    else ctx.error(f.mark(), "'static' needs 'root'", "static: { root: web/spa }");
    if (auto* x = fields.get("fallback")) {
        if (auto s = read_string(ctx, *x)) {
            if (s->empty() || s->starts_with('/') || s->find("..") != std::string::npos || s->find('\\') != std::string::npos)
                ctx.error(x->mark(), "'fallback' must be a file inside the folder", "fallback: index.html");
            else out.fallback = *s;
        }
    }
    if (auto* x = fields.get("csp")) {
        if (auto s = read_string(ctx, *x)) {
            if (!safe_header_value(*s)) ctx.error(x->mark(), "'csp' must be one line of printable text");
            else out.csp = *s;
        }
    }
}

}  // namespace gk::config::detail
