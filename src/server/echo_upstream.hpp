#pragma once
// The demo's upstream: answers every request with JSON listing the method,
// path and headers it received, so a newcomer sees exactly what gatekeeper
// forwards (identity headers in, credentials and spoofed headers out).
#include <cstdint>
#include <memory>
#include <string>

namespace gk::server {

class EchoUpstream {
public:
    // Binds 127.0.0.1:port (0 = any free port) and serves on its own thread.
    explicit EchoUpstream(std::uint16_t port);
    ~EchoUpstream();
    EchoUpstream(const EchoUpstream&) = delete;
    EchoUpstream& operator=(const EchoUpstream&) = delete;
    [[nodiscard]] std::uint16_t port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gk::server
