#pragma once
// Access tokens revoked before their expiry (RFC 7009), by jti. Shared by all
// worker threads and consulted on every Bearer decision, including the
// verified-token cache path, so a revocation takes effect on the very next
// request. An entry is dropped once its token has expired anyway.
#include <chrono>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gk::gate {

class RevocationList {
public:
    // exp: the token's expiry, Unix seconds.
    void revoke(std::string_view jti, std::int64_t exp);
    // Replaces the whole list (loaded from the store at start and on change).
    void replace(const std::vector<std::pair<std::string, std::int64_t>>& entries);
    [[nodiscard]] bool is_revoked(std::string_view jti) const;
    // Forgets entries whose tokens expired before `now` (Unix seconds).
    void purge(std::int64_t now);
    [[nodiscard]] std::size_t size() const;

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    mutable std::shared_mutex mu_;
    std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> entries_;
};

}  // namespace gk::gate
