#pragma once
// A port for a server a test starts (redis-server, postgres). The same policy
// as the integration harness (tests/integration/gk_harness.py): a random port
// below the kernel's ephemeral range, so no client socket of a concurrent test
// can hold it, bindable on every address now, and reserved with an O_EXCL file
// in /tmp/gk-test-ports so two concurrent tests never pick the same one
// (reservations older than an hour are stale). Binding port 0 instead hands
// out an ephemeral port, which a concurrent test's outgoing connection can
// take before the server binds it.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace gk::testing {

inline bool port_bindable(int port, std::uint32_t addr) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(addr);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// Removes this process's reservations when it exits normally.
struct PortReservations {
    std::vector<std::string> paths;
    ~PortReservations() {
        for (const auto& p : paths) ::unlink(p.c_str());
    }
};

inline PortReservations& port_reservations() {
    static PortReservations r;
    return r;
}

inline bool reserve_port(int port) {
    const std::string dir = "/tmp/gk-test-ports";
    ::mkdir(dir.c_str(), 0755);
    const std::string path = dir + "/" + std::to_string(port);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && std::time(nullptr) - st.st_mtime > 3600) ::unlink(path.c_str());
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) return false;
    ::close(fd);
    port_reservations().paths.push_back(path);
    return true;
}

// 0 when none was found (the caller's server start then fails visibly).
inline int free_port() {
    constexpr int kLow = 20000, kHigh = 32000;
    std::random_device seed;
    std::mt19937 pick(seed());
    std::uniform_int_distribution<int> in_range(kLow, kHigh - 1);
    for (int i = 0; i < 2000; ++i) {
        const int port = in_range(pick);
        if (port_bindable(port, INADDR_ANY) && port_bindable(port, INADDR_LOOPBACK) && reserve_port(port))
            return port;
    }
    return 0;
}

}  // namespace gk::testing
