#include "store/issuer_lists.hpp"

#include <algorithm>

namespace gk::store {

Result<std::string, issuer::StoreFailure> join_list(const std::vector<std::string>& items,
                                                    std::string_view what) {
    std::string out;
    for (const auto& item : items) {
        const bool bad = item.empty() || std::any_of(item.begin(), item.end(), [](char c) {
                             return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                         });
        if (bad) {
            return fail(issuer::StoreFailure{
                issuer::StoreFailure::Kind::invalid,
                std::string(what) + ": an item is empty or contains a control character"});
        }
        if (!out.empty()) out += '\n';
        out += item;
    }
    return out;
}

std::vector<std::string> split_list(std::string_view joined) {
    std::vector<std::string> out;
    while (!joined.empty()) {
        const auto nl = joined.find('\n');
        out.emplace_back(joined.substr(0, nl));
        joined.remove_prefix(nl == std::string_view::npos ? joined.size() : nl + 1);
    }
    return out;
}

}  // namespace gk::store
