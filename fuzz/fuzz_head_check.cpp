// check_request_head on arbitrary bytes: never crashes, and whatever it accepts
// satisfies the framing invariants the server relies on (one head ending in
// CRLFCRLF, no bare CR/LF/NUL, TE only as chunked on HTTP/1.1 without CL,
// Host present on HTTP/1.1). Breaking the line endings of an accepted head
// must turn it into a rejection.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gatekeeper/gate/head_check.hpp"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using gk::gate::HeadError;
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    auto r = gk::gate::check_request_head(raw);
    if (!r.ok()) {
        check(gk::gate::to_string(r.error())[0] != '\0');
        return 0;
    }
    const auto& f = *r;
    check(raw.size() >= 4 && raw.substr(raw.size() - 4) == "\r\n\r\n");
    check(raw.find("\r\n\r\n") == raw.size() - 4);  // exactly one head
    check(raw.find('\0') == std::string_view::npos);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\r') check(i + 1 < raw.size() && raw[i + 1] == '\n');
        if (raw[i] == '\n') check(i > 0 && raw[i - 1] == '\r');
    }
    check(!f.method.empty() && !f.target.empty());
    check(f.method.find_first_of(" \t\r\n") == std::string::npos);
    check(f.target.find_first_of(" \t\r\n") == std::string::npos);
    check(f.version_major == 1 && (f.version_minor == 0 || f.version_minor == 1));
    check(raw.substr(0, f.method.size() + 1 + f.target.size() + 1) == f.method + " " + f.target + " ");
    if (f.chunked) check(!f.content_length && f.version_minor == 1);
    if (f.content_length) check(*f.content_length <= 9223372036854775807ULL);
    check(f.host.find_first_of(" \t,@/") == std::string::npos);

    // Same head with LF-only line ends, or with a NUL, must be refused.
    std::string lf_only;
    for (char c : raw)
        if (c != '\r') lf_only += c;
    auto lf = gk::gate::check_request_head(lf_only);
    check(!lf.ok() && lf.error() == HeadError::bare_lf);

    std::string with_nul(raw);
    with_nul.insert(with_nul.size() / 2, 1, '\0');
    auto nul = gk::gate::check_request_head(with_nul);
    check(!nul.ok());
    return 0;
}
