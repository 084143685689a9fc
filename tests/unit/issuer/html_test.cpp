// HTML escaping: the five significant characters, nothing else touched.
#include "gatekeeper/issuer/html.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gk::issuer {
namespace {

struct EscapeCase {
    const char* name;
    std::string in;
    std::string want;
};

const EscapeCase kCases[] = {
    {"empty", "", ""},
    {"plain", "alice", "alice"},
    {"amp", "a&b", "a&amp;b"},
    {"lt_gt", "<b>", "&lt;b&gt;"},
    {"double_quote", "\"x\"", "&quot;x&quot;"},
    {"single_quote", "it's", "it&#39;s"},
    {"script", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"attribute_breakout", "\" autofocus onfocus=\"alert(1)", "&quot; autofocus onfocus=&quot;alert(1)"},
    {"single_breakout", "' onmouseover='x", "&#39; onmouseover=&#39;x"},
    {"entity_not_double_decoded", "&lt;", "&amp;lt;"},
    {"utf8_untouched", "caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93"},
    {"nul_replaced", std::string("a\0b", 3),
     "a\xEF\xBF\xBD"
     "b"},
    {"newline_kept", "a\nb", "a\nb"},
};

class HtmlEscape : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(HtmlEscape, Escape) {
    const auto& c = GetParam();
    EXPECT_EQ(html_escape(c.in), c.want);
    EXPECT_EQ(escape_text(c.in), c.want);
    EXPECT_EQ(escape_attribute(c.in), c.want);
    std::string out = "prefix:";
    append_html_escaped(out, c.in);
    EXPECT_EQ(out, "prefix:" + c.want);
}

INSTANTIATE_TEST_SUITE_P(Html, HtmlEscape, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(HtmlEscape, NoSignificantCharacterSurvives) {
    std::string all;
    for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
    const auto out = html_escape(all);
    EXPECT_EQ(out.find_first_of("<>\"'"), std::string::npos);
    // Every '&' left starts one of our entities.
    for (std::size_t i = out.find('&'); i != std::string::npos; i = out.find('&', i + 1)) {
        const auto rest = std::string_view(out).substr(i);
        EXPECT_TRUE(rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;") ||
                    rest.starts_with("&quot;") || rest.starts_with("&#39;"))
            << rest.substr(0, 8);
    }
}

}  // namespace
}  // namespace gk::issuer
