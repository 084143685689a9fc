#pragma once
// HTML escaping for the server-rendered pages. The output is safe in element
// text and in double- or single-quoted attribute values alike (never in an
// unquoted attribute, a <script>, a <style> or a URL-valued attribute that
// needs its own scheme check). NUL becomes U+FFFD, as the HTML parser would.
#include <string>
#include <string_view>

namespace gk::issuer {

// & < > " ' -> &amp; &lt; &gt; &quot; &#39;
std::string html_escape(std::string_view text);
void append_html_escaped(std::string& out, std::string_view text);

// The same escaping under the names the call sites mean.
inline std::string escape_text(std::string_view text) { return html_escape(text); }
inline std::string escape_attribute(std::string_view value) { return html_escape(value); }

}  // namespace gk::issuer
