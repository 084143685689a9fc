#include "server/credential_view.hpp"

namespace gk::server {

CredentialView::SessionAnswer CredentialView::find_session(std::string_view id_hash) const {
    if (auto it = sessions_.find(id_hash); it != sessions_.end()) return it->second;
    missing_.push_back({Missing::Kind::session, std::string(id_hash)});
    return fail(std::string(kNotFetched));
}

CredentialView::ApiKeyAnswer CredentialView::find_api_key(std::string_view key_hash) const {
    if (auto it = api_keys_.find(key_hash); it != api_keys_.end()) return it->second;
    missing_.push_back({Missing::Kind::api_key, std::string(key_hash)});
    return fail(std::string(kNotFetched));
}

std::vector<CredentialView::Missing> CredentialView::take_missing() {
    auto out = std::move(missing_);
    missing_.clear();
    return out;
}

void CredentialView::answer_session(const std::string& hash, SessionAnswer a) {
    sessions_.insert_or_assign(hash, std::move(a));
}

void CredentialView::answer_api_key(const std::string& hash, ApiKeyAnswer a) {
    api_keys_.insert_or_assign(hash, std::move(a));
}

}  // namespace gk::server
