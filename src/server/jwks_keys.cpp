#include "server/jwks_keys.hpp"

#include <cctype>
#include <ctime>
#include <vector>

#include <boost/json/parse.hpp>

#include "server/decision_response.hpp"

namespace gk::server {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// The same key without its private half (verification needs only the public one).
Result<jose::Jwk, std::string> public_only(const jose::Jwk& jwk) {
    if (!jwk.key.has_private() || jwk.key.type() == crypto::KeyType::oct) return jwk;
    auto pub = crypto::Key::from_pem(jwk.key.public_pem());
    if (!pub)
        return fail(std::string("cannot take the public part of a key: ") + crypto::to_string(pub.error()));
    jose::Jwk out = jwk;
    out.key = std::move(*pub);
    return out;
}

Result<LoadedKeys, std::string> finish(std::vector<jose::Jwk> keys, std::size_t skipped,
                                       std::size_t refused) {
    if (keys.empty())
        return fail("no usable key (" + std::to_string(skipped) + " skipped, " + std::to_string(refused) +
                    " refused for carrying private material)");
    LoadedKeys out;
    out.set = std::make_shared<const jose::JwkSet>(std::move(keys));
    out.skipped = skipped;
    out.refused_private = refused;
    return out;
}

std::string jose_failure(jose::JoseError e) {
    switch (e) {
        case jose::JoseError::bad_json:
            return "not a JWKS (invalid JSON, or no \"keys\" array)";
        case jose::JoseError::duplicate_member:
            return "not a valid JWKS (a member appears twice)";
        default:
            return std::string("not a valid JWKS: ") + jose::to_string(e);
    }
}

}  // namespace

Result<LoadedKeys, std::string> keys_from_file_text(std::string_view text) {
    if (text.size() > kMaxJwksBytes) return fail("over " + std::to_string(kMaxJwksBytes) + " bytes");
    const std::string_view body = trim(text);
    if (body.starts_with("-----BEGIN")) {
        auto key = crypto::Key::from_pem(body);
        if (!key) return fail(std::string("not a usable PEM key: ") + crypto::to_string(key.error()));
        jose::Jwk jwk;
        jwk.key = std::move(*key);
        auto pub = public_only(jwk);
        if (!pub) return fail(pub.error());
        std::vector<jose::Jwk> keys;
        keys.push_back(std::move(*pub));
        return finish(std::move(keys), 0, 0);
    }
    auto parsed = jose::parse_jwks(body);
    if (!parsed) return fail(jose_failure(parsed.error()));
    std::vector<jose::Jwk> keys;
    for (const auto& k : parsed->set.keys()) {
        auto pub = public_only(k);
        if (!pub) return fail(pub.error());
        keys.push_back(std::move(*pub));
    }
    return finish(std::move(keys), parsed->skipped, 0);
}

Result<LoadedKeys, std::string> keys_from_fetched_jwks(std::string_view json) {
    if (json.size() > kMaxJwksBytes) return fail("over " + std::to_string(kMaxJwksBytes) + " bytes");
    auto parsed = jose::parse_jwks(json);
    if (!parsed) return fail(jose_failure(parsed.error()));
    std::vector<jose::Jwk> keys;
    std::size_t refused = 0;
    for (const auto& k : parsed->set.keys()) {
        if (k.key.has_private())
            ++refused;
        else
            keys.push_back(k);
    }
    return finish(std::move(keys), parsed->skipped, refused);
}

std::optional<std::chrono::seconds> cache_max_age(std::string_view cache_control) {
    std::optional<std::chrono::seconds> out;
    while (!cache_control.empty()) {
        const auto comma = cache_control.find(',');
        std::string_view item = trim(cache_control.substr(0, comma));
        cache_control =
            comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
        // no-store / no-cache: "do not reuse without asking" = as often as allowed.
        if (iequals(item, "no-store") || iequals(item, "no-cache")) return std::chrono::seconds{0};
        const auto eq = item.find('=');
        if (eq == std::string_view::npos || !iequals(trim(item.substr(0, eq)), "max-age")) continue;
        std::string_view v = trim(item.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        if (v.empty()) continue;
        long long n = 0;
        bool digits = true;
        for (char c : v) {
            if (c < '0' || c > '9') {
                digits = false;
                break;
            }
            // RFC 9111 section 1.2.2: too large a delta-seconds is taken as 2^31.
            n = std::min<long long>(n * 10 + (c - '0'), 2147483648LL);
        }
        if (digits && !out) out = std::chrono::seconds{n};
    }
    return out;
}

Result<std::string, std::string> jwks_uri_from_discovery(std::string_view json, std::string_view issuer) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(json, ec);
    if (ec || !doc.is_object()) return fail(std::string("discovery document is not a JSON object"));
    const auto& obj = doc.get_object();
    const auto* iss = obj.if_contains("issuer");
    if (!iss || !iss->is_string() || std::string_view(iss->get_string()) != issuer)
        return fail(std::string("discovery document names another issuer"));
    const auto* uri = obj.if_contains("jwks_uri");
    if (!uri || !uri->is_string()) return fail(std::string("discovery document has no jwks_uri"));
    std::string out(uri->get_string());
    if (!out.starts_with("https://")) return fail(std::string("discovery jwks_uri is not an https URL"));
    return out;
}

LogEvent::LogEvent(std::string_view event) {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[40];
    const std::size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(ms));
    line_ = "{\"time\":\"" + std::string(ts) + "\",\"event\":\"" + json_escape(event) + "\"";
}

LogEvent& LogEvent::str(std::string_view key, std::string_view value) {
    line_ += ",\"" + json_escape(key) + "\":\"" + json_escape(value) + "\"";
    return *this;
}

LogEvent& LogEvent::num(std::string_view key, long long value) {
    line_ += ",\"" + json_escape(key) + "\":" + std::to_string(value);
    return *this;
}

void LogEvent::write(spdlog::logger& log, spdlog::level::level_enum level) const {
    log.log(level, "{}}}", line_);
}

}  // namespace gk::server
