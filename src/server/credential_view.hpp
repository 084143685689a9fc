#pragma once
// Sessions and API keys a decision reads, fetched from a network store (the
// shared PostgreSQL database) before the gate runs, the way AttemptView does
// it for the brute-force counters: a lookup the view has not got is recorded
// and answered with an error, so a decision taken without the fetch fails
// closed (503); session.cpp fetches what is missing off the event loop and
// runs the gate again.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gatekeeper/gate/credential_store.hpp"

namespace gk::server {

class CredentialView final : public gate::CredentialStore {
public:
    struct Missing {
        enum class Kind { session, api_key } kind = Kind::session;
        std::string hash;
    };
    using SessionAnswer = Result<std::optional<gate::SessionRecord>, std::string>;
    using ApiKeyAnswer = Result<std::optional<gate::ApiKeyRecord>, std::string>;

    SessionAnswer find_session(std::string_view id_hash) const override;
    ApiKeyAnswer find_api_key(std::string_view key_hash) const override;

    [[nodiscard]] std::vector<Missing> take_missing();
    void answer_session(const std::string& hash, SessionAnswer a);
    void answer_api_key(const std::string& hash, ApiKeyAnswer a);

    static constexpr const char* kNotFetched = "not fetched";

private:
    std::map<std::string, SessionAnswer, std::less<>> sessions_;
    std::map<std::string, ApiKeyAnswer, std::less<>> api_keys_;
    // The gate's interface is const (a lookup changes nothing in the store);
    // noting what was asked for is this view's bookkeeping.
    mutable std::vector<Missing> missing_;
};

}  // namespace gk::server
