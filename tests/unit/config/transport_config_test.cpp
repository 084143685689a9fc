// HTTPS by default in the config: which listeners are loopback, insecure:
// and redirect_port (with the first TLS listener's port as the default), and
// server.hsts.
#include <gtest/gtest.h>

#include "gatekeeper/config/config.hpp"
#include "temp_dir.hpp"
#include "test_pems.hpp"

namespace gk::config {
namespace {

using test::TempDir;

std::string all_errors(const std::vector<ConfigError>& errors) {
    std::string out;
    for (const auto& e : errors) out += format(e) + "\n";
    return out;
}

class TransportConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir.write("cert.pem", testing_pems::kACert);  // a real pair: the loader checks the key belongs to it
        dir.write("key.pem", testing_pems::kAKey);
    }
    gate::Policy load_ok(const std::string& yaml) {
        auto r = load_policy_text(yaml + kRoutes, "ok.yaml", dir.str());
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : all_errors(r.error()));
        return r.ok() ? std::move(r.value()) : gate::Policy{};
    }
    // The first error's line and message, "" when the config loads.
    std::pair<int, std::string> first_error(const std::string& yaml) {
        auto r = load_policy_text(yaml + kRoutes, "bad.yaml", dir.str());
        if (r.ok()) return {0, ""};
        return {r.error().front().line, all_errors(r.error())};
    }
    static constexpr const char* kRoutes = "routes:\n  - { path: /, require: public }\n";
    TempDir dir;
};

TEST_F(TransportConfigTest, LoopbackAndRedirectPorts) {
    auto p = load_ok(
        "listeners:\n"
        "  - { address: 127.0.0.1, port: 8080 }\n"
        "  - { address: 127.9.9.9, port: 8081 }\n"
        "  - { address: \"::1\", port: 8082 }\n"
        "  - { address: \"::ffff:127.0.0.1\", port: 8083 }\n"
        "  - { address: 0.0.0.0, port: 80 }\n"
        "  - { address: \"::\", port: 81, redirect_port: 443 }\n"
        "  - { address: 192.0.2.1, port: 82, insecure: true }\n"
        "  - { address: 0.0.0.0, port: 8443, tls: { cert: cert.pem, key: key.pem } }\n"
        "  - { address: 0.0.0.0, port: 9443, tls: { cert: cert.pem, key: key.pem } }\n");
    ASSERT_EQ(p.listeners.size(), 9u);
    const bool loopback[] = {true, true, true, true, false, false, false, false, false};
    for (std::size_t i = 0; i < 9; ++i)
        EXPECT_EQ(p.listeners[i].loopback, loopback[i]) << p.listeners[i].address;
    EXPECT_EQ(p.listeners[4].redirect_port, 8443) << "the first TLS listener's port";
    EXPECT_EQ(p.listeners[5].redirect_port, 443) << "as configured";
    EXPECT_FALSE(p.listeners[5].insecure);
    EXPECT_TRUE(p.listeners[6].insecure);
}

TEST_F(TransportConfigTest, NoTlsListenerMeans443) {
    auto p = load_ok("listeners:\n  - { address: 0.0.0.0, port: 80 }\n");
    EXPECT_EQ(p.listeners[0].redirect_port, 443);
    EXPECT_FALSE(p.listeners[0].loopback);
}

TEST_F(TransportConfigTest, MisplacedKeysAreErrors) {
    struct Case {
        const char* yaml;
        int line;
        const char* message;
    };
    const Case cases[] = {
        {"listeners:\n  - { address: 0.0.0.0, port: 8443, insecure: true, tls: { cert: cert.pem, key: "
         "key.pem } }\n",
         2, "'insecure' applies to plain-HTTP listeners"},
        {"listeners:\n  - { address: 0.0.0.0, port: 8443, redirect_port: 443, tls: { cert: cert.pem, key: "
         "key.pem } }\n",
         2, "'redirect_port' only applies"},
        {"listeners:\n  - { address: 0.0.0.0, port: 80, insecure: true, redirect_port: 443 }\n", 2,
         "'redirect_port' only applies"},
        {"listeners:\n  - { address: 127.0.0.1, port: 80, redirect_port: 443 }\n", 2,
         "'redirect_port' only applies"},
        {"listeners:\n  - { address: 0.0.0.0, port: 80, redirect_port: 0 }\n", 2, "redirect_port"},
        {"listeners:\n  - { address: 0.0.0.0, port: 80, insecure: maybe }\n", 2, "insecure"},
    };
    for (const auto& c : cases) {
        auto [line, text] = first_error(c.yaml);
        EXPECT_EQ(line, c.line) << c.yaml << text;
        EXPECT_NE(text.find(c.message), std::string::npos) << c.yaml << text;
    }
}

TEST_F(TransportConfigTest, HstsDefaultOffAndMapping) {
    const std::string l = "listeners:\n  - { address: 127.0.0.1, port: 8080 }\n";
    EXPECT_EQ(load_ok(l).hsts_header, "max-age=31536000; includeSubDomains");
    EXPECT_EQ(load_ok("server:\n  hsts: off\n" + l).hsts_header, "");
    EXPECT_EQ(load_ok("server:\n  hsts: false\n" + l).hsts_header, "");
    EXPECT_EQ(load_ok("server:\n  hsts: { max_age: 1h, include_subdomains: false }\n" + l).hsts_header,
              "max-age=3600");
    EXPECT_EQ(load_ok("server:\n  hsts: { max_age: 0 }\n" + l).hsts_header, "max-age=0; includeSubDomains");
    EXPECT_EQ(load_ok("server:\n  hsts: { max_age: 730d, include_subdomains: true, preload: true }\n" + l)
                  .hsts_header,
              "max-age=63072000; includeSubDomains; preload");
}

TEST_F(TransportConfigTest, HstsErrors) {
    const std::string l = "listeners:\n  - { address: 127.0.0.1, port: 8080 }\n";
    struct Case {
        const char* server;
        const char* message;
    };
    const Case cases[] = {
        {"  hsts: sometimes\n", "'hsts' must be off, on or a mapping"},
        {"  hsts: { max_age: 31536000 }\n", "whole number of seconds with a unit"},
        {"  hsts: { max_age: 1500ms }\n", "whole number of seconds with a unit"},
        {"  hsts: { max_age: -1s }\n", "whole number of seconds with a unit"},
        {"  hsts: { max_age: 30d, preload: true }\n", "'preload' needs"},
        {"  hsts: { include_subdomains: false, preload: true }\n", "'preload' needs"},
        {"  hsts: { maxage: 1d }\n", "unknown key 'maxage'"},
    };
    for (const auto& c : cases) {
        auto [line, text] = first_error(std::string("server:\n") + c.server + l);
        EXPECT_EQ(line, 2) << c.server << text;
        EXPECT_NE(text.find(c.message), std::string::npos) << c.server << text;
    }
}

}  // namespace
}  // namespace gk::config
