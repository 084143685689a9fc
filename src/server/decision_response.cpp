#include "server/decision_response.hpp"

#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::server {
namespace {

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

string_response build(http::status status, std::string_view detail, std::string_view accept, unsigned version,
                      std::string_view login_url = {}) {
    string_response res{status, version};
    const auto title = std::string(http::obsolete_reason(status));
    if (prefers_html(accept)) {
        res.set(http::field::content_type, "text/html; charset=utf-8");
        res.body() = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                     std::to_string(static_cast<unsigned>(status)) + " " + html_escape(title) +
                     "</title></head><body><h1>" + html_escape(title) + "</h1><p>" + html_escape(detail) +
                     "</p></body></html>\n";
        res.set("Content-Security-Policy", "default-src 'none'");
    } else {
        res.set(http::field::content_type, "application/problem+json");
        res.body() = "{\"type\":\"about:blank\",\"title\":\"" + json_escape(title) +
                     "\",\"status\":" + std::to_string(static_cast<unsigned>(status)) + ",\"detail\":\"" +
                     json_escape(detail) + "\"" +
                     (login_url.empty() ? std::string() : ",\"login_url\":\"" + json_escape(login_url) + "\"") + "}\n";
    }
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    res.prepare_payload();
    return res;
}

}  // namespace

bool prefers_html(std::string_view accept) {
    // Good enough negotiation: HTML only when it is asked for before any JSON type.
    auto html = accept.find("text/html");
    if (html == std::string_view::npos) return false;
    auto json = accept.find("json");
    return json == std::string_view::npos || html < json;
}

std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    static const char* hex = "0123456789abcdef";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

string_response decision_response(const gate::Decision& d, std::string_view accept, unsigned version) {
    const auto status = static_cast<http::status>(gate::status_of(d.verdict));
    std::string detail = d.public_detail;
    if (detail.empty()) detail = std::string(http::obsolete_reason(status)) + ".";
    if (d.verdict == gate::Verdict::redirect) {
        // To the login page; the browser comes back to the return URL after it.
        string_response res{status, version};
        res.set(http::field::location, d.location);
        res.set(http::field::cache_control, "no-store");
        res.prepare_payload();
        return res;
    }
    auto res = build(status, detail, accept, version, d.login_url);
    // One field line per challenge: unambiguous for every client we know.
    for (const auto& c : d.challenges) res.insert(http::field::www_authenticate, httpauth::format_challenge(c));
    if (d.verdict == gate::Verdict::too_many || d.verdict == gate::Verdict::unavailable) {
        res.set(http::field::retry_after, std::to_string(d.retry_after_seconds > 0 ? d.retry_after_seconds : 1));
    }
    return res;
}

string_response error_response(http::status status, std::string_view detail, std::string_view accept,
                               unsigned version) {
    return build(status, detail, accept, version);
}

}  // namespace gk::server
