#include "gatekeeper/issuer/html.hpp"

namespace gk::issuer {

void append_html_escaped(std::string& out, std::string_view text) {
    out.reserve(out.size() + text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\0':
                out += "\xEF\xBF\xBD";
                break;
            default:
                out += c;
        }
    }
}

std::string html_escape(std::string_view text) {
    std::string out;
    append_html_escaped(out, text);
    return out;
}

}  // namespace gk::issuer
