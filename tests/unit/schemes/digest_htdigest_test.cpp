// parse_htdigest: files written by Apache's own `htdigest`, the accepted
// layout variations, and every refusal with its line number.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "gatekeeper/schemes/digest.hpp"

namespace gk::schemes {
namespace {

// Written by htdigest 2.4 (Debian 12 apache2-utils), driven through a pty:
//   htdigest -c f http-auth@example.org Mufasa      # password: Circle of Life
//   htdigest    f 'Admin Panel' alice              # password: wonderland
//   htdigest    f 'Admin Panel' 'Jäsøn Doe'        # password: Secret, or not?
// Each hash is MD5("user:realm:password"); the first is RFC 7616 3.9.1's MD5 HA1.
constexpr std::string_view kHtdigestFile =
    "Mufasa:http-auth@example.org:3d78807defe7de2157e2b0b6573a855f\n"
    "alice:Admin Panel:21e4015d2b209819cf8b8ab123d09875\n"
    "J\xC3\xA4s\xC3\xB8n Doe:Admin Panel:d2e4ddb29bf372b1efd3017057f5cf2f\n";

TEST(Htdigest, FileWrittenByApacheHtdigest) {
    auto r = parse_htdigest(kHtdigestFile);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 3u);
    const auto& e = r.value();
    EXPECT_EQ(e[0].user, "Mufasa");
    EXPECT_EQ(e[0].realm, "http-auth@example.org");
    EXPECT_EQ(e[0].line, 1);
    EXPECT_EQ(e[2].line, 3);
    EXPECT_EQ(e[0].ha1, digest_ha1(DigestAlgorithm::md5, "Mufasa", "http-auth@example.org", "Circle of Life"));
    EXPECT_EQ(e[1].ha1, digest_ha1(DigestAlgorithm::md5, "alice", "Admin Panel", "wonderland"));
    EXPECT_EQ(e[2].user, "J\xC3\xA4s\xC3\xB8n Doe");
    EXPECT_EQ(e[2].ha1, digest_ha1(DigestAlgorithm::md5, e[2].user, "Admin Panel", "Secret, or not?"));
}

// Runs `htdigest -c <file> <realm> <user>` on a pseudo-terminal (it reads the
// password from the terminal, twice) and returns the file it wrote, or nullopt
// when the tool is not installed or does not behave.
std::optional<std::string> run_htdigest(const std::string& realm, const std::string& user,
                                        const std::string& password) {
    const char* tool = "/usr/bin/htdigest";
    if (access(tool, X_OK) != 0) return std::nullopt;
    const std::string path = ::testing::TempDir() + "gk_htdigest_" + std::to_string(getpid());
    std::remove(path.c_str());
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return std::nullopt;
    const std::string slave_name = ptsname(master);
    const pid_t pid = fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
        setsid();  // the pty becomes the controlling terminal htdigest asks
        const int slave = open(slave_name.c_str(), O_RDWR);
        if (slave < 0) _exit(126);
        dup2(slave, 0);
        dup2(slave, 1);
        dup2(slave, 2);
        close(master);
        execl(tool, "htdigest", "-c", path.c_str(), realm.c_str(), user.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    std::string seen;
    int answered = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{master, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buf[256];
        const ssize_t n = read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO: the child closed the terminal
        seen.append(buf, static_cast<std::size_t>(n));
        std::size_t prompts = 0;
        for (std::size_t at = seen.find("password:"); at != std::string::npos; at = seen.find("password:", at + 1)) {
            ++prompts;
        }
        for (; answered < static_cast<int>(prompts); ++answered) {
            const std::string line = password + "\n";
            if (write(master, line.data(), line.size()) != static_cast<ssize_t>(line.size())) break;
        }
    }
    close(master);
    // The terminal closes a moment before the process exits: wait for it, boundedly.
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline) {
        usleep(10'000);
    }
    if (done != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return std::nullopt;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::remove(path.c_str());
    return ss.str();
}

TEST(Htdigest, LiveHtdigestToolAgrees) {
    const std::string realm = "Admin Panel", user = "b\xC3\xB6" "b", password = "builder: with colon";
    const auto text = run_htdigest(realm, user, password);
    if (!text) GTEST_SKIP() << "/usr/bin/htdigest (apache2-utils) not available or not drivable";
    EXPECT_EQ(*text, user + ":" + realm + ":" + digest_ha1(DigestAlgorithm::md5, user, realm, password) + "\n");
    auto r = parse_htdigest(*text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r.value()[0].user, user);
    EXPECT_EQ(r.value()[0].realm, realm);
    EXPECT_EQ(r.value()[0].ha1, digest_ha1(DigestAlgorithm::md5, user, realm, password));
}

constexpr std::string_view kHash = "3d78807defe7de2157e2b0b6573a855f";

struct Good {
    const char* name;
    std::string text;
    std::size_t entries;
};

void PrintTo(const Good& c, std::ostream* os) { *os << c.name; }

class HtdigestAccepts : public ::testing::TestWithParam<Good> {};

TEST_P(HtdigestAccepts, Table) {
    auto r = parse_htdigest(GetParam().text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->size(), GetParam().entries);
    for (const auto& e : r.value()) EXPECT_EQ(e.ha1, kHash);
}

const std::string kLine = "u:r:" + std::string(kHash);

INSTANTIATE_TEST_SUITE_P(
    Layout, HtdigestAccepts,
    ::testing::Values(Good{"empty", "", 0}, Good{"only_newlines", "\n\n\n", 0},
                      Good{"no_final_newline", kLine, 1}, Good{"crlf", kLine + "\r\nv:r:" + std::string(kHash) + "\r\n", 2},
                      Good{"blank_and_whitespace_lines", "\n" + kLine + "\n  \t\n\nv:r:" + std::string(kHash) + "\n", 2},
                      Good{"comments", "# made by htdigest\n" + kLine + "\n#u:r:x\n", 1},
                      Good{"bom", "\xEF\xBB\xBF" + kLine + "\n", 1},
                      Good{"same_user_two_realms", kLine + "\nu:s:" + std::string(kHash) + "\n", 2},
                      Good{"same_realm_two_users", kLine + "\nv:r:" + std::string(kHash) + "\n", 2},
                      Good{"spaces_inside_names", "a b:Admin Panel:" + std::string(kHash) + "\n", 1}));

struct Bad {
    const char* name;
    std::string text;
    int line;
    std::string_view says;
};

void PrintTo(const Bad& c, std::ostream* os) { *os << c.name; }

class HtdigestRefuses : public ::testing::TestWithParam<Bad> {};

TEST_P(HtdigestRefuses, TableWithLineNumbers) {
    const auto& c = GetParam();
    auto r = parse_htdigest(c.text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().line, c.line);
    EXPECT_NE(r.error().message.find("line " + std::to_string(c.line) + ": "), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
    // The HA1 is password-equivalent: no part of a hash field ever reaches a message.
    EXPECT_EQ(r.error().message.find("3d78807d"), std::string::npos) << r.error().message;
}

const std::string kOk = kLine + "\n";

INSTANTIATE_TEST_SUITE_P(
    Garbage, HtdigestRefuses,
    ::testing::Values(
        Bad{"no_colon", kOk + "garbage\n", 2, "expected user:realm:hash"},
        Bad{"htpasswd_line", "u:" + std::string(kHash) + "\n", 1, "expected user:realm:hash"},
        Bad{"empty_user", kOk + "v:r:" + std::string(kHash) + "\n:r:" + std::string(kHash) + "\n", 3, "empty user"},
        Bad{"empty_realm", "u::" + std::string(kHash) + "\n", 1, "empty realm"},
        Bad{"colon_in_user_or_realm", "u:r:x:" + std::string(kHash) + "\n", 1, "too many ':'"},
        Bad{"upper_case_hash", "u:r:3D78807DEFE7DE2157E2B0B6573A855F\n", 1, "32 lower-case hex"},
        Bad{"hash_31", "u:r:" + std::string(kHash.substr(1)) + "\n", 1, "32 lower-case hex"},
        Bad{"hash_33", "u:r:" + std::string(kHash) + "0\n", 1, "32 lower-case hex"},
        Bad{"hash_non_hex", "u:r:3d78807defe7de2157e2b0b6573a855g\n", 1, "32 lower-case hex"},
        Bad{"hash_empty", "u:r:\n", 1, "32 lower-case hex"},
        Bad{"trailing_space", "u:r:" + std::string(kHash) + " \n", 1, "32 lower-case hex"},
        Bad{"sha256_hash", "u:r:7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232\n", 1,
            "32 lower-case hex"},
        Bad{"ctl_in_user", std::string("u\x01:r:") + std::string(kHash) + "\n", 1, "control character in user"},
        Bad{"tab_in_realm", "u:r\t1:" + std::string(kHash) + "\n", 1, "control character in realm"},
        Bad{"bare_cr_in_line", "u:r:" + std::string(kHash) + "\rv:r:" + std::string(kHash) + "\n", 1,
            "too many ':'"},
        Bad{"duplicate_user_in_realm", kOk + "\n# again\n" + kOk, 4, "duplicate user 'u' in realm 'r' (first on line 1)"},
        Bad{"line_too_long", std::string(5000, 'u') + ":r:" + std::string(kHash) + "\n", 1, "line too long"}));

}  // namespace
}  // namespace gk::schemes
