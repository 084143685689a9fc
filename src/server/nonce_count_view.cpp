#include "server/nonce_count_view.hpp"

namespace gk::server {

Result<bool, std::string> NonceCountView::advance(std::string_view nonce, std::uint32_t nc) {
    if (nc == 0) return false;  // counts start at 00000001: nothing to ask Redis
    if (auto it = answers_.find({std::string(nonce), nc}); it != answers_.end()) return it->second;
    missing_.push_back({std::string(nonce), nc});
    return fail(std::string(kNotFetched));
}

std::vector<NonceCountView::Missing> NonceCountView::take_missing() {
    auto out = std::move(missing_);
    missing_.clear();
    return out;
}

void NonceCountView::answer(const Missing& m, Result<bool, std::string> advanced) {
    answers_.insert_or_assign({m.nonce, m.nc}, std::move(advanced));
}

}  // namespace gk::server
