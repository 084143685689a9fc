#include "gatekeeper/gate/revocation_list.hpp"

#include <mutex>

namespace gk::gate {

void RevocationList::revoke(std::string_view jti, std::int64_t exp) {
    std::unique_lock lock(mu_);
    auto [it, inserted] = entries_.try_emplace(std::string(jti), exp);
    if (!inserted && it->second < exp) it->second = exp;
}

void RevocationList::replace(const std::vector<std::pair<std::string, std::int64_t>>& entries) {
    std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> next;
    for (const auto& [jti, exp] : entries) next[jti] = exp;
    std::unique_lock lock(mu_);
    entries_.swap(next);
}

bool RevocationList::is_revoked(std::string_view jti) const {
    if (jti.empty()) return false;
    std::shared_lock lock(mu_);
    return entries_.find(jti) != entries_.end();
}

void RevocationList::purge(std::int64_t now) {
    std::unique_lock lock(mu_);
    std::erase_if(entries_, [now](const auto& e) { return e.second < now; });
}

std::size_t RevocationList::size() const {
    std::shared_lock lock(mu_);
    return entries_.size();
}

}  // namespace gk::gate
