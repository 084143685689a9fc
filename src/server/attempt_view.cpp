#include "server/attempt_view.hpp"

namespace gk::server {

Result<gate::AttemptSummary, std::string> AttemptView::summary(std::string_view key, std::int64_t since_ms) {
    if (auto it = answers_.find(key); it != answers_.end()) return it->second;
    missing_.push_back({std::string(key), since_ms});
    return fail(std::string(kNotFetched));
}

Result<Ok, std::string> AttemptView::add_failure(std::string_view key, std::int64_t at_ms, std::uint64_t source,
                                                 std::int64_t since_ms) {
    changes_.push_back({Change::Kind::failure, std::string(key), at_ms, source, since_ms});
    return Ok{};
}

Result<Ok, std::string> AttemptView::forget(std::string_view key, std::uint64_t source) {
    // Nothing to forget when the counter read before the check was empty:
    // the common case (a right password, nobody guessing) then costs no write.
    if (auto it = answers_.find(key); it != answers_.end() && it->second.ok() && it->second->failures == 0) return Ok{};
    changes_.push_back({Change::Kind::forget, std::string(key), 0, source, 0});
    return Ok{};
}

std::vector<AttemptView::Missing> AttemptView::take_missing() {
    auto out = std::move(missing_);
    missing_.clear();
    return out;
}

void AttemptView::answer(const std::string& key, Result<gate::AttemptSummary, std::string> summary) {
    answers_.insert_or_assign(key, std::move(summary));
}

std::vector<AttemptView::Change> AttemptView::take_changes() {
    auto out = std::move(changes_);
    changes_.clear();
    return out;
}

}  // namespace gk::server
