#pragma once
// Table tests of config mistakes: each text must be refused, and the first
// error must name the line and say what is wrong.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <string_view>

#include "gatekeeper/config/config.hpp"
#include "temp_dir.hpp"

namespace gk::config::test {

struct Mistake {
    const char* body;  // appended to the test's head
    int line;          // where the first error must point
    const char* says;  // a part of its message
};

inline void expect_first_errors(std::string_view head, std::span<const Mistake> cases) {
    for (const auto& c : cases) {
        TempDir dir;
        auto r = load_policy_text(std::string(head) + c.body, "bad.yaml", dir.str());
        ASSERT_FALSE(r.ok()) << "accepted:\n" << c.body;
        const auto& e = r.error().front();
        EXPECT_EQ(e.line, c.line) << c.body << format(e);
        EXPECT_NE(format(e).find(c.says), std::string::npos) << c.body << format(e);
    }
}

}  // namespace gk::config::test
