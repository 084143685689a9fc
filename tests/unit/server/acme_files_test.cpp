// The files of an ACME-managed certificate: the placeholder, an install, a
// crash between the two live writes, and the HTTP-01 answer board.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "server/acme_challenges.hpp"
#include "server/acme_files.hpp"
#include "server/self_signed.hpp"

namespace gk::server {
namespace {

namespace fs = std::filesystem;

struct Dir {
    fs::path path = fs::temp_directory_path() / ("gk-acme-files-" + std::to_string(std::random_device{}()));
    ~Dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string str() const { return path.string(); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A second self-signed pair, standing in for "the CA's new certificate".
std::pair<std::string, std::string> other_pair(const Dir& d) {
    const auto c = (d.path / "o-cert.pem").string(), k = (d.path / "o-key.pem").string();
    make_self_signed(c, k);
    return {slurp(k), slurp(c)};
}

TEST(AcmeFiles, PlaceholderFirstThenNothingToDo) {
    Dir d;
    const auto host = d.str() + "/gk.test";
    EXPECT_EQ(recover_pair(host), "placeholder");
    auto facts = inspect_pair(host);
    ASSERT_TRUE(facts.has_value());
    EXPECT_TRUE(facts->self_signed);
    EXPECT_EQ(fs::status(host + "/key.pem").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(recover_pair(host), "ok");
    EXPECT_EQ(inspect_pair(host)->serial, facts->serial);
}

TEST(AcmeFiles, InstallReplacesThePairAndCleansUp) {
    Dir d;
    const auto host = d.str() + "/gk.test";
    ASSERT_EQ(recover_pair(host), "placeholder");
    const auto [key, cert] = other_pair(d);
    install_pair(host, key, cert);
    EXPECT_EQ(slurp(host + "/cert.pem"), cert);
    EXPECT_EQ(slurp(host + "/key.pem"), key);
    EXPECT_FALSE(fs::exists(host + "/next/key.pem"));
    EXPECT_FALSE(fs::exists(host + "/next/cert.pem"));
    EXPECT_EQ(inspect_chain(cert)->serial, inspect_pair(host)->serial);
}

TEST(AcmeFiles, CrashBetweenKeyAndCertIsCompletedAtStart) {
    Dir d;
    const auto host = d.str() + "/gk.test";
    ASSERT_EQ(recover_pair(host), "placeholder");
    const auto [key, cert] = other_pair(d);
    // What install_pair leaves if it dies after the live key write.
    fs::create_directories(host + "/next");
    std::ofstream(host + "/next/key.pem") << key;
    std::ofstream(host + "/next/cert.pem") << cert;
    std::ofstream(host + "/key.pem", std::ios::trunc) << key;
    EXPECT_FALSE(inspect_pair(host).has_value());  // new key, old certificate: never served as is
    EXPECT_EQ(recover_pair(host), "recovered");
    EXPECT_EQ(slurp(host + "/cert.pem"), cert);
    EXPECT_TRUE(inspect_pair(host).has_value());
}

TEST(AcmeFiles, CrashWhileWritingNextKeepsTheLivePair) {
    Dir d;
    const auto host = d.str() + "/gk.test";
    ASSERT_EQ(recover_pair(host), "placeholder");
    const auto before = inspect_pair(host)->serial;
    const auto [key, cert] = other_pair(d);
    fs::create_directories(host + "/next");
    std::ofstream(host + "/next/key.pem") << key;  // the certificate never made it
    EXPECT_EQ(recover_pair(host), "ok");
    EXPECT_EQ(inspect_pair(host)->serial, before);
    EXPECT_FALSE(fs::exists(host + "/next/key.pem"));
}

TEST(AcmeChallengesBoard, AnswersKnownTokensOnly) {
    AcmeChallenges board;
    board.put("tok123", "tok123.thumb");
    AccessRecord log;
    auto ok = acme_challenge_response(board, "GET", "/.well-known/acme-challenge/tok123", 11, log);
    EXPECT_EQ(ok.result_int(), 200u);
    EXPECT_EQ(ok.body(), "tok123.thumb");
    EXPECT_EQ(ok[http::field::content_type], "text/plain");
    EXPECT_EQ(log.route, "acme-challenge");
    EXPECT_EQ(acme_challenge_response(board, "GET", "/.well-known/acme-challenge/other", 11, log).result_int(), 404u);
    EXPECT_EQ(acme_challenge_response(board, "GET", "/.well-known/acme-challenge/", 11, log).result_int(), 404u);
    EXPECT_EQ(acme_challenge_response(board, "POST", "/.well-known/acme-challenge/tok123", 11, log).result_int(), 405u);
    board.remove("tok123");
    EXPECT_EQ(acme_challenge_response(board, "GET", "/.well-known/acme-challenge/tok123", 11, log).result_int(), 404u);
}

}  // namespace
}  // namespace gk::server
