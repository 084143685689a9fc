// parse_confirmation: the shape of RFC 7800 cnf with RFC 8705's x5t#S256.
#include <gtest/gtest.h>

#include "gatekeeper/jose/claims.hpp"

namespace gk::jose {
namespace {

// base64url of 32 bytes (SHA-256 of "abc").
constexpr const char* kThumb = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";

TEST(Confirmation, Table) {
    const struct {
        const char* name;
        std::string payload;
        bool ok;
        bool present;
        const char* x5t;
        std::size_t others;
    } rows[] = {
        {"no cnf", R"({"sub":"a"})", true, false, "", 0},
        {"x5t#S256", std::string(R"({"cnf":{"x5t#S256":")") + kThumb + "\"}}", true, true, kThumb, 0},
        {"unknown member only", R"({"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})", true, true, "", 1},
        {"x5t plus unknown", std::string(R"({"cnf":{"x5t#S256":")") + kThumb + R"(","kid":"k"}})", true, true, kThumb,
         1},
        {"cnf not an object", R"({"cnf":"x"})", false, false, "", 0},
        {"empty cnf", R"({"cnf":{}})", false, false, "", 0},
        {"x5t not a string", R"({"cnf":{"x5t#S256":42}})", false, false, "", 0},
        {"x5t not base64url", R"({"cnf":{"x5t#S256":"not base64!"}})", false, false, "", 0},
        {"x5t of 20 bytes (SHA-1)", R"({"cnf":{"x5t#S256":"qZk-NkcGgWq6PiVxeFDCbJzQ2J0"}})", false, false, "", 0},
        {"x5t padded", std::string(R"({"cnf":{"x5t#S256":")") + kThumb + "=\"}}", false, false, "", 0},
    };
    for (const auto& row : rows) {
        auto claims = parse_claims(row.payload);
        ASSERT_TRUE(claims) << row.name;
        auto cnf = parse_confirmation(*claims);
        ASSERT_EQ(cnf.ok(), row.ok) << row.name;
        if (!row.ok) {
            EXPECT_EQ(cnf.error(), JoseError::bad_claim) << row.name;
            continue;
        }
        ASSERT_EQ(cnf->has_value(), row.present) << row.name;
        if (!row.present) continue;
        EXPECT_EQ((*cnf)->x5t_s256, row.x5t) << row.name;
        EXPECT_EQ((*cnf)->other_methods.size(), row.others) << row.name;
    }
}

}  // namespace
}  // namespace gk::jose
