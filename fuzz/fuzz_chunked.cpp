// ChunkedCheck on arbitrary bytes: never crashes, and the verdict does not
// depend on how the bytes are split (whole vs. two pieces at every cut the
// input's first byte picks).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gatekeeper/gate/chunked_check.hpp"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t cut = data[0] % size;
    const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

    gk::gate::ChunkedCheck whole;
    const std::size_t used_whole = whole.feed(in);

    gk::gate::ChunkedCheck split;
    const std::size_t at = cut < in.size() ? cut : in.size();
    std::size_t used_split = split.feed(in.substr(0, at));
    if (!split.done() && !split.failed()) used_split += split.feed(in.substr(at));

    check(whole.done() == split.done());
    check(whole.error() == split.error());
    check(used_whole <= in.size());
    if (whole.done()) check(used_whole == used_split);
    check(!(whole.done() && whole.failed()));
    return 0;
}
