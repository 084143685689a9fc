// The duplicate-member check across its two forms (a short list while an
// object has at most 16 names, a hash set past that) and across objects that
// reuse a depth's bookkeeping: every duplicate is found wherever it sits,
// and names of a closed object never count against the next one.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "jose/strict_json.hpp"

namespace gk::jose::detail {
namespace {

// {"k0":0,...,"k<n-1>":n-1} plus, when dup >= 0, a last member named k<dup>.
std::string object(int n, int dup = -1) {
    std::string t = "{";
    for (int i = 0; i < n; ++i) t += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    if (dup >= 0) t += (n ? ",\"k" : "\"k") + std::to_string(dup) + "\":0";
    return t + "}";
}

struct NamesCase {
    const char* name;
    std::string text;
    std::optional<JoseError> error;
};

class StrictJsonNames : public ::testing::TestWithParam<NamesCase> {};

TEST_P(StrictJsonNames, Verdict) {
    const auto& c = GetParam();
    auto r = parse_object(c.text);
    if (c.error) {
        ASSERT_FALSE(r.ok()) << c.text;
        EXPECT_EQ(r.error(), *c.error);
    } else {
        EXPECT_TRUE(r.ok()) << c.text;
    }
}

const NamesCase kNames[] = {
    {"fifteen_distinct", object(15), std::nullopt},
    {"sixteen_distinct", object(16), std::nullopt},
    {"seventeen_distinct", object(17), std::nullopt},
    {"forty_distinct", object(40), std::nullopt},
    {"dup_first_of_15", object(15, 0), JoseError::duplicate_member},
    {"dup_last_of_15", object(15, 14), JoseError::duplicate_member},
    {"dup_first_of_16", object(16, 0), JoseError::duplicate_member},
    {"dup_last_of_16", object(16, 15), JoseError::duplicate_member},
    {"dup_first_of_17", object(17, 0), JoseError::duplicate_member},
    {"dup_16th_of_17", object(17, 16), JoseError::duplicate_member},
    {"dup_first_of_40", object(40, 0), JoseError::duplicate_member},
    {"dup_middle_of_40", object(40, 20), JoseError::duplicate_member},
    {"dup_last_of_40", object(40, 39), JoseError::duplicate_member},
    // Siblings at one depth: the second starts with nothing seen.
    {"siblings_same_names", R"({"a":)" + object(3) + R"(,"b":)" + object(3) + "}", std::nullopt},
    {"siblings_after_big", R"({"a":)" + object(20) + R"(,"b":)" + object(20) + "}", std::nullopt},
    {"sibling_dup_after_big", R"({"a":)" + object(20) + R"(,"b":)" + object(2, 1) + "}", JoseError::duplicate_member},
    {"sibling_big_dup_after_small", R"({"a":)" + object(2) + R"(,"b":)" + object(30, 29) + "}",
     JoseError::duplicate_member},
    // A nested object in between keeps the outer object's names.
    {"outer_dup_after_nested", R"({"k0":)" + object(20) + R"(,"x":1,"k0":2})", JoseError::duplicate_member},
    {"outer_big_dup_after_nested", object(20).substr(0, object(20).size() - 1) + R"(,"n":)" + object(5) + R"(,"k3":1})",
     JoseError::duplicate_member},
    {"inner_names_not_outer", R"({"k0":)" + object(20) + R"(,"k1":2,"k19":3})", std::nullopt},
    // Escaped spellings count as the name they spell, in both forms.
    {"escaped_dup_small", R"({"k0":1,"\u006b0":2})", JoseError::duplicate_member},
    {"escaped_dup_big", object(20).substr(0, object(20).size() - 1) + R"(,"\u006b7":1})", JoseError::duplicate_member},
};

INSTANTIATE_TEST_SUITE_P(Cases, StrictJsonNames, ::testing::ValuesIn(kNames),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace gk::jose::detail
