// ACME resources and problem documents from JSON. Lenient about members we do
// not use (the CA may add any), strict about the ones we do: a wrong type is a
// protocol error naming the member.
#include "gatekeeper/acme/messages.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>

namespace gk::acme {
namespace {

namespace json = boost::json;

constexpr std::string_view kAcmeUrn = "urn:ietf:params:acme:error:";

AcmeError protocol(std::string what) { return AcmeError{"protocol", std::move(what), 0, {}}; }

Result<json::object, AcmeError> parse_object(std::string_view text, std::string_view what) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return fail(protocol(std::string(what) + " is not a JSON object"));
    return std::move(v.as_object());
}

// A string member: "" when absent; an error when present with another type.
Result<std::string, AcmeError> str(const json::object& o, std::string_view key, std::string_view what) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return std::string();
    if (!v->is_string()) return fail(protocol(std::string(what) + ": '" + std::string(key) + "' is not a string"));
    return std::string(v->as_string());
}

// A member the resource cannot do without: present, a string, and not empty.
Result<std::string, AcmeError> required_str(const json::object& o, std::string_view key, std::string_view what) {
    auto v = str(o, key, what);
    if (v && v->empty()) return fail(protocol(std::string(what) + " has no '" + std::string(key) + "'"));
    return v;
}

AcmeError problem_from(const json::object& o, unsigned status) {
    AcmeError e;
    e.status = status;
    if (auto t = str(o, "type", "problem"); t) e.type = *t;
    if (auto d = str(o, "detail", "problem"); d) e.detail = *d;
    if (e.type.empty()) e.type = "about:blank";
    if (const auto* subs = o.if_contains("subproblems"); subs && subs->is_array()) {
        for (const auto& s : subs->as_array()) {
            if (!s.is_object()) continue;
            std::string line;
            if (const auto* id = s.as_object().if_contains("identifier"); id && id->is_object())
                if (auto v = str(id->as_object(), "value", "identifier"); v) line = *v + ": ";
            if (auto d = str(s.as_object(), "detail", "subproblem"); d) line += *d;
            e.subproblems.push_back(std::move(line));
        }
    }
    return e;
}

std::optional<AcmeError> embedded_error(const json::object& o) {
    const auto* err = o.if_contains("error");
    if (!err || !err->is_object()) return std::nullopt;
    return problem_from(err->as_object(), 0);
}

}  // namespace

bool AcmeError::is(std::string_view acme_type) const {
    return type.size() == kAcmeUrn.size() + acme_type.size() && type.starts_with(kAcmeUrn) &&
           std::string_view(type).substr(kAcmeUrn.size()) == acme_type;
}

std::string AcmeError::message() const {
    std::string out = type.starts_with(kAcmeUrn) ? type.substr(kAcmeUrn.size()) : type;
    if (status) out += " (HTTP " + std::to_string(status) + ")";
    if (!detail.empty()) out += ": " + detail;
    for (const auto& s : subproblems) out += "; " + s;
    return out;
}

AcmeError parse_problem(unsigned status, std::string_view body) {
    auto o = parse_object(body, "problem");
    if (!o) return AcmeError{"protocol", "HTTP " + std::to_string(status) + " without a problem document", status, {}};
    return problem_from(*o, status);
}

Result<Directory, AcmeError> parse_directory(std::string_view text) {
    auto o = parse_object(text, "directory");
    if (!o) return fail(o.error());
    Directory d;
    for (auto [key, out] : {std::pair{"newNonce", &d.new_nonce}, std::pair{"newAccount", &d.new_account},
                            std::pair{"newOrder", &d.new_order}}) {
        auto v = required_str(*o, key, "directory");
        if (!v) return fail(v.error());
        *out = std::move(*v);
    }
    if (const auto* meta = o->if_contains("meta"); meta && meta->is_object())
        if (auto t = str(meta->as_object(), "termsOfService", "directory meta"); t) d.terms_of_service = *t;
    return d;
}

Result<Order, AcmeError> parse_order(std::string_view text) {
    auto o = parse_object(text, "order");
    if (!o) return fail(o.error());
    Order out;
    auto status = required_str(*o, "status", "order");
    auto finalize = str(*o, "finalize", "order");
    auto cert = str(*o, "certificate", "order");
    if (!status) return fail(status.error());
    if (!finalize) return fail(finalize.error());
    if (!cert) return fail(cert.error());
    out.status = *status;
    out.finalize = *finalize;
    out.certificate = *cert;
    if (const auto* a = o->if_contains("authorizations")) {
        if (!a->is_array()) return fail(protocol("order: 'authorizations' is not an array"));
        for (const auto& u : a->as_array()) {
            if (!u.is_string()) return fail(protocol("order: an authorization URL is not a string"));
            out.authorizations.emplace_back(u.as_string());
        }
    }
    out.error = embedded_error(*o);
    return out;
}

Result<Authorization, AcmeError> parse_authorization(std::string_view text) {
    auto o = parse_object(text, "authorization");
    if (!o) return fail(o.error());
    Authorization out;
    auto status = required_str(*o, "status", "authorization");
    if (!status) return fail(status.error());
    out.status = *status;
    if (const auto* id = o->if_contains("identifier"); id && id->is_object()) {
        auto v = str(id->as_object(), "value", "identifier");
        if (!v) return fail(v.error());
        out.identifier = *v;
    }
    if (const auto* w = o->if_contains("wildcard"); w && w->is_bool()) out.wildcard = w->as_bool();
    const auto* cs = o->if_contains("challenges");
    if (!cs || !cs->is_array()) return fail(protocol("authorization has no 'challenges' array"));
    for (const auto& c : cs->as_array()) {
        if (!c.is_object()) return fail(protocol("authorization: a challenge is not an object"));
        const auto& co = c.as_object();
        Challenge ch;
        for (auto [key, dst] : {std::pair{"type", &ch.type}, std::pair{"url", &ch.url}, std::pair{"token", &ch.token},
                                std::pair{"status", &ch.status}}) {
            auto v = str(co, key, "challenge");
            if (!v) return fail(v.error());
            *dst = *v;
        }
        ch.error = embedded_error(co);
        out.challenges.push_back(std::move(ch));
    }
    return out;
}

Result<std::string, AcmeError> parse_account_status(std::string_view text) {
    auto o = parse_object(text, "account");
    if (!o) return fail(o.error());
    auto s = str(*o, "status", "account");
    if (!s) return fail(s.error());
    return *s;
}

std::optional<long> parse_retry_after(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty() || value.size() > 9) return std::nullopt;
    long n = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || p != value.data() + value.size() || n < 0) return std::nullopt;
    return n;
}

}  // namespace gk::acme
