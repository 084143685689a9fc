#include "server/acme_challenges.hpp"

namespace gk::server {

void AcmeChallenges::put(const std::string& token, const std::string& key_authorization) {
    std::lock_guard lock(mu_);
    answers_[token] = key_authorization;
}

void AcmeChallenges::remove(const std::string& token) {
    std::lock_guard lock(mu_);
    answers_.erase(token);
}

std::optional<std::string> AcmeChallenges::find(std::string_view token) const {
    std::lock_guard lock(mu_);
    auto it = answers_.find(token);
    if (it == answers_.end()) return std::nullopt;
    return it->second;
}

string_response acme_challenge_response(const AcmeChallenges& challenges, std::string_view method,
                                        std::string_view path, unsigned version, AccessRecord& log) {
    log.route = "acme-challenge";
    if (method != "GET" && method != "HEAD") {
        auto res = error_response(http::status::method_not_allowed, "Only GET here.", "", version);
        res.set(http::field::allow, "GET, HEAD");
        return res;
    }
    const auto token = path.substr(gate::kAcmeChallengePrefix.size());
    auto answer = token.empty() ? std::nullopt : challenges.find(token);
    if (!answer) return error_response(http::status::not_found, "No such challenge.", "", version);
    string_response res{http::status::ok, version};
    res.set(http::field::content_type, "text/plain");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(*answer);
    res.prepare_payload();
    return res;
}

}  // namespace gk::server
