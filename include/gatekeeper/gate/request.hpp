#pragma once
// The request as the pure core sees it: already framed and hygiene-checked by
// the server, with the path normalized once (the same path is matched and sent
// upstream).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gk::gate {

struct Header {
    std::string name;   // as received
    std::string value;
};

struct Request {
    std::string method;           // case-sensitive, as received (RFC 9110 9.1)
    std::string host;             // lower-case, without port
    std::string authority;        // as received: the absolute-form authority, else Host
    std::string target;           // request-target exactly as received (Digest's uri must equal it)
    // The body, only when needs_request_body() asked the server to read it first.
    std::optional<std::string> body;
    std::string path;             // normalized (see gate/path.hpp)
    std::string query;            // without '?', not decoded
    bool secure = false;          // arrived over TLS (or a trusted front proxy said https)
    std::string client_address;   // peer address (or trusted X-Forwarded-For)
    std::vector<Header> headers;

    // All values of a header, case-insensitive name.
    [[nodiscard]] std::vector<std::string_view> all(std::string_view name) const;
    // The single value; nullopt if absent. Callers that need "exactly one" use count().
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
};

bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace gk::gate
