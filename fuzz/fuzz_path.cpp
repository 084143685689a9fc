// normalize_target on arbitrary bytes: never crashes, and whatever it accepts
// is canonical. The output is a fixed point (normalizing it again changes
// nothing), has no dot segments, empty segments or ';', and every escape is
// %XX with upper-case hex of a byte that must stay encoded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gatekeeper/gate/path.hpp"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

int hex(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

bool is_unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void check_canonical_path(std::string_view p) {
    check(!p.empty() && p.front() == '/');
    check(p.find("/../") == std::string_view::npos);
    check(p.find("/./") == std::string_view::npos);
    check(p.find("//") == std::string_view::npos);
    check(p.find(';') == std::string_view::npos);
    check(p.find('\\') == std::string_view::npos);
    check(p.find('?') == std::string_view::npos);
    check(p.find('#') == std::string_view::npos);
    check(p != "/.." && p.substr(p.size() >= 3 ? p.size() - 3 : 0) != "/..");
    check(p != "/." && p.substr(p.size() >= 2 ? p.size() - 2 : 0) != "/.");
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        check(c > 0x20 && c < 0x7F);
        if (c != '%') continue;
        check(i + 2 < p.size() && is_upper_hex(p[i + 1]) && is_upper_hex(p[i + 2]));
        const int v = hex(p[i + 1]) * 16 + hex(p[i + 2]);
        check(!is_unreserved(static_cast<unsigned char>(v)));  // those are always decoded
        check(v != '/' && v != '\\' && v != ';' && v >= 0x20 && v != 0x7F);
        i += 2;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    if (auto abs = gk::gate::split_absolute_form(input)) {
        check(!abs->authority.empty() && gk::gate::is_valid_authority(abs->authority));
        check(abs->scheme == "http" || abs->scheme == "https");
        check(!abs->path_and_query.empty() && abs->path_and_query.front() == '/');
    }

    auto first = gk::gate::normalize_target(input);
    if (!first.ok()) {
        check(gk::gate::to_string(first.error())[0] != '\0');
        return 0;
    }
    const auto& path = first->path;
    check_canonical_path(path);
    check(first->query.find('#') == std::string::npos);

    auto again = gk::gate::normalize_target(path, path.size());
    check(again.ok() && again->path == path && again->query.empty());
    if (input.find('?') != std::string_view::npos) {
        auto with_query = gk::gate::normalize_target(path + "?" + first->query, std::string::npos);
        check(with_query.ok() && with_query->path == path && with_query->query == first->query);
    }

    // A normalized path is always inside its own prefix, in both case modes.
    check(gk::gate::path_has_prefix(path, path, false));
    check(gk::gate::path_has_prefix(path, path, true));
    check(gk::gate::path_has_prefix(path, "/", false));
    return 0;
}
