#include "store/password_input.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

namespace gk::store {
namespace {

// A pipe carrying `input`, then closed: what `echo pw | gatekeeper hash` gives.
class Pipe {
public:
    explicit Pipe(const std::string& input) {
        if (::pipe(fds_) != 0) throw std::runtime_error("pipe");
        // Small inputs fit the pipe buffer; write then close so reads see EOF.
        std::size_t off = 0;
        while (off < input.size()) {
            ssize_t n = ::write(fds_[1], input.data() + off, input.size() - off);
            if (n <= 0) throw std::runtime_error("write");
            off += static_cast<std::size_t>(n);
        }
        ::close(fds_[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    ~Pipe() { ::close(fds_[0]); }
    [[nodiscard]] int fd() const { return fds_[0]; }

private:
    int fds_[2]{-1, -1};
};

struct LineCase {
    const char* name;
    std::string input;
    bool ok;
    std::string password;
};

class PasswordLine : public ::testing::TestWithParam<LineCase> {};

TEST_P(PasswordLine, Reads) {
    Pipe p(GetParam().input);
    auto r = read_password_line(p.fd());
    ASSERT_EQ(r.ok(), GetParam().ok) << GetParam().name;
    if (r.ok()) {
        EXPECT_EQ(r->reveal(), GetParam().password);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PasswordLine,
    ::testing::Values(LineCase{"lf", "secret\n", true, "secret"}, LineCase{"crlf", "secret\r\n", true, "secret"},
                      LineCase{"no newline", "secret", true, "secret"},
                      LineCase{"only first line", "one\ntwo\n", true, "one"},
                      LineCase{"spaces kept", "  pass word  \n", true, "  pass word  "},
                      LineCase{"inner cr kept", "a\rb\n", true, "a\rb"},
                      LineCase{"utf8", "p\xC3\xA4ss\n", true, "p\xC3\xA4ss"},
                      LineCase{"empty line reads as empty", "\n", true, ""},
                      LineCase{"eof", "", false, ""},
                      LineCase{"nul", std::string("a\0b\n", 4), false, ""},
                      LineCase{"max length", std::string(kMaxPasswordBytes, 'x') + "\n", true,
                               std::string(kMaxPasswordBytes, 'x')},
                      LineCase{"too long", std::string(kMaxPasswordBytes + 1, 'x') + "\n", false, ""}),
    [](const auto& info) {
        std::string n = info.param.name;
        for (auto& c : n) if (c == ' ') c = '_';
        return n;
    });

TEST(PasswordInput, LeavesTheRestOfTheInputUnread) {
    Pipe p("first\nsecond\n");
    ASSERT_EQ(read_password_line(p.fd())->reveal(), "first");
    ASSERT_EQ(read_password_line(p.fd())->reveal(), "second");
}

TEST(PasswordInput, NewPasswordFromPipeIsOneLineAndNotEmpty) {
    Pipe ok("wonderland\n");
    auto r = read_new_password(ok.fd(), stderr);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->reveal(), "wonderland");

    Pipe empty("\n");
    auto e = read_new_password(empty.fd(), stderr);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error(), "empty password");

    Pipe none("");
    EXPECT_FALSE(read_new_password(none.fd(), stderr).ok());
}

}  // namespace
}  // namespace gk::store
