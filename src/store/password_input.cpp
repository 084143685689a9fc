#include "store/password_input.hpp"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::store {
namespace {

// Echo off for the life of the object, restored even on an early return.
class NoEcho {
public:
    explicit NoEcho(int fd) : fd_(fd) {
        if (::tcgetattr(fd_, &saved_) != 0) return;
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;  // the user still sees the line end
        active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
    NoEcho(const NoEcho&) = delete;
    NoEcho& operator=(const NoEcho&) = delete;
    ~NoEcho() {
        if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    }

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

Result<Secret, std::string> prompt(int fd, std::FILE* out, const char* text) {
    std::fputs(text, out);
    std::fflush(out);
    NoEcho quiet(fd);
    return read_password_line(fd);
}

}  // namespace

Result<Secret, std::string> read_password_line(int fd) {
    // Byte by byte: no stdio buffer keeps a copy, and nothing past the line
    // is consumed from a shared stdin.
    std::string line;
    bool got_any = false;
    for (;;) {
        char c = 0;
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            Secret wipe(std::move(line));
            return fail(std::string("cannot read password: ") + std::strerror(errno));
        }
        if (n == 0) break;
        got_any = true;
        if (c == '\n') break;
        if (c == '\0' || line.size() >= kMaxPasswordBytes) {
            Secret wipe(std::move(line));
            return fail(std::string(c == '\0' ? "password contains a NUL byte" : "password is too long"));
        }
        line.push_back(c);
    }
    if (!got_any) return fail(std::string("no password on standard input"));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return Secret(std::move(line));
}

Result<Secret, std::string> read_new_password(int fd, std::FILE* prompt_out) {
    Result<Secret, std::string> first = fail(std::string());
    if (::isatty(fd)) {
        first = prompt(fd, prompt_out, "New password: ");
        if (!first) return first;
        auto again = prompt(fd, prompt_out, "Repeat password: ");
        if (!again) return again;
        if (!crypto::ct_equal(first->reveal(), again->reveal())) return fail(std::string("passwords do not match"));
    } else {
        first = read_password_line(fd);
        if (!first) return first;
    }
    if (first->empty()) return fail(std::string("empty password"));
    return first;
}

}  // namespace gk::store
