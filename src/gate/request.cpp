#include "gatekeeper/gate/request.hpp"

namespace gk::gate {

const char* to_string(CertProblem p) noexcept {
    switch (p) {
        case CertProblem::none: return "none";
        case CertProblem::untrusted: return "untrusted issuer";
        case CertProblem::revoked: return "revoked";
        case CertProblem::expired: return "expired";
        case CertProblem::not_yet_valid: return "not yet valid";
        case CertProblem::invalid: return "invalid";
    }
    return "invalid";
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::vector<std::string_view> Request::all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& h : headers)
        if (iequals(h.name, name)) out.emplace_back(h.value);
    return out;
}

std::optional<std::string_view> Request::get(std::string_view name) const {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return std::string_view(h.value);
    return std::nullopt;
}

std::size_t Request::count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& h : headers)
        if (iequals(h.name, name)) ++n;
    return n;
}

}  // namespace gk::gate
