#pragma once
// The upstream's response head, parsed by Beast's own basic_parser (same
// grammar, limits and framing rules as http::response_parser) but kept as
// views into the connection's read buffer instead of a fields container:
// no allocation per field, no tree insert. The head for the client is then
// written straight from those views with prepare_client_response's rules
// (hop-by-hop fields dropped, version and Connection for the client,
// gatekeeper's own fields last). Anything unusual (a field folded over lines,
// more fields than fit here) says so, and the caller parses the same bytes
// again with http::response_parser and takes the general path.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/gate/request.hpp"
#include "server/net.hpp"

namespace gk::server {

class ResponseHeadParser final : public http::basic_parser<false> {
public:
    struct Field {
        std::string_view name;
        std::string_view value;
    };

    // The buffer put() will be given: a field value outside it (Beast's
    // unfolded copy of an obs-fold value) cannot be kept as a view.
    void expect_input(const char* begin, std::size_t size) {
        in_begin_ = begin;
        in_end_ = begin + size;
    }
    // True when the views cannot describe the head: use http::response_parser.
    [[nodiscard]] bool general_path_needed() const { return overflow_; }
    [[nodiscard]] int status() const { return status_; }
    [[nodiscard]] std::string_view reason() const { return reason_; }
    [[nodiscard]] const Field* begin_fields() const { return fields_.data(); }
    [[nodiscard]] const Field* end_fields() const { return fields_.data() + count_; }

private:
    void on_request_impl(http::verb, beast::string_view, beast::string_view, int, error_code&) override {}
    void on_response_impl(int code, beast::string_view reason, int, error_code&) override {
        status_ = code;
        reason_ = std::string_view(reason.data(), reason.size());
        if (!inside(reason_)) overflow_ = true;
    }
    void on_field_impl(http::field, beast::string_view name, beast::string_view value, error_code&) override {
        std::string_view n(name.data(), name.size()), v(value.data(), value.size());
        if (count_ == fields_.size() || !inside(n) || !inside(v)) {
            overflow_ = true;
            return;
        }
        fields_[count_++] = Field{n, v};
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(boost::optional<std::uint64_t> const&, error_code&) override {}
    std::size_t on_body_impl(beast::string_view body, error_code&) override { return body.size(); }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override { return body.size(); }
    void on_finish_impl(error_code&) override {}

    bool inside(std::string_view s) const {
        return s.empty() || (s.data() >= in_begin_ && s.data() + s.size() <= in_end_);
    }

    const char* in_begin_ = nullptr;
    const char* in_end_ = nullptr;
    int status_ = 0;
    std::string_view reason_;
    std::array<Field, 64> fields_{};
    std::size_t count_ = 0;
    bool overflow_ = false;
};

// The client's head from a parsed upstream head, with the rules of
// prepare_client_response for a response whose framing needs no change:
// hop-by-hop fields (the fixed list and those the Connection fields name)
// dropped; HTTP/1.0 for a 1.0 client, else 1.1; Connection as Beast's
// keep_alive() would set it; then `own` fields, each replacing any upstream
// field of that name (Beast's set()); then `fallback` (name, value), unless
// the upstream sent a field of that name (an empty name: none).
template <class OwnFields>
void write_client_head(std::string& out, const ResponseHeadParser& p, unsigned client_version, bool keep_alive,
                       const OwnFields& own, std::pair<std::string_view, std::string_view> fallback = {}) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    // strip_hop_by_hop's fixed list, tested by length first.
    auto fixed_hop_by_hop = [](std::string_view n) {
        switch (n.size()) {
            case 2: return gate::iequals(n, "TE");
            case 7: return gate::iequals(n, "Trailer") || gate::iequals(n, "Upgrade");
            case 10: return gate::iequals(n, "Connection") || gate::iequals(n, "Keep-Alive");
            case 16: return gate::iequals(n, "Proxy-Connection");
            case 17: return gate::iequals(n, "Transfer-Encoding");
            case 18: return gate::iequals(n, "Proxy-Authenticate");
            case 19: return gate::iequals(n, "Proxy-Authorization");
            default: return false;
        }
    };
    // The Connection fields, found once: the names they list go too.
    std::array<std::string_view, 8> connection{};
    std::size_t n_connection = 0;
    bool many_connection = false;
    for (auto f = p.begin_fields(); f != p.end_fields(); ++f) {
        if (f->name.size() != 10 || !gate::iequals(f->name, "Connection")) continue;
        if (n_connection == connection.size()) many_connection = true;
        else connection[n_connection++] = f->value;
    }
    auto listed_in = [&](std::string_view v, std::string_view name) {
        while (!v.empty()) {
            const auto comma = v.find(',');
            const auto tok = trim(v.substr(0, comma));
            if (tok.size() == name.size() && gate::iequals(tok, name)) return true;
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
        return false;
    };
    auto listed_in_connection = [&](std::string_view name) {
        if (many_connection) {
            for (auto f = p.begin_fields(); f != p.end_fields(); ++f)
                if (gate::iequals(f->name, "Connection") && listed_in(f->value, name)) return true;
            return false;
        }
        for (std::size_t i = 0; i < n_connection; ++i)
            if (listed_in(connection[i], name)) return true;
        return false;
    };
    auto replaced_by_own = [&](std::string_view name) {
        for (const auto& [n, v] : own)
            if (gate::iequals(n, name)) return true;
        return false;
    };

    const unsigned version = client_version == 10 ? 10 : 11;
    out.clear();
    out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    const int code = p.status();
    out.push_back(static_cast<char>('0' + code / 100));
    out.push_back(static_cast<char>('0' + (code / 10) % 10));
    out.push_back(static_cast<char>('0' + code % 10));
    out.push_back(' ');
    std::string_view reason = p.reason();
    if (reason.empty()) {
        const auto r = http::obsolete_reason(static_cast<http::status>(code));
        reason = std::string_view(r.data(), r.size());
    }
    out.append(reason);
    out.append("\r\n");
    bool add_fallback = !fallback.first.empty();
    for (auto f = p.begin_fields(); f != p.end_fields(); ++f) {
        if (add_fallback && gate::iequals(f->name, fallback.first)) add_fallback = false;
        if (fixed_hop_by_hop(f->name) || listed_in_connection(f->name) || replaced_by_own(f->name)) continue;
        out.append(f->name);
        out.append(": ");
        out.append(f->value);
        out.append("\r\n");
    }
    // Beast's keep_alive(): 1.1 says only "close"; 1.0 says only "keep-alive".
    if (version == 11 && !keep_alive) out.append("Connection: close\r\n");
    if (version == 10 && keep_alive) out.append("Connection: keep-alive\r\n");
    for (auto it = own.begin(); it != own.end(); ++it) {
        bool later = false;  // a later field of the same name replaces this one
        for (auto jt = std::next(it); jt != own.end(); ++jt)
            if (gate::iequals(jt->first, it->first)) later = true;
        if (later) continue;
        out.append(it->first);
        out.append(": ");
        out.append(it->second);
        out.append("\r\n");
    }
    if (add_fallback) {
        out.append(fallback.first);
        out.append(": ");
        out.append(fallback.second);
        out.append("\r\n");
    }
    out.append("\r\n");
}

}  // namespace gk::server
