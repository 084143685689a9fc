#pragma once
// Idle keep-alive plain connections, parked: after a short idle spell a
// session gives up its coroutine frames, stream, deadline timer and read
// buffer; only the socket, its ConnInfo and one readiness wait remain (a few
// hundred bytes instead of several KiB). nginx likewise frees a request's
// memory once its keep-alive connection goes idle. Readable again, the
// socket starts a new session.
//
// A parked connection keeps its connection slot and its place in
// Worker::waiting, so the cap still reclaims the longest-waiting connection
// first and draining still closes it; its idle_timeout runs on, and a sweep
// closes it when the rest of that timeout has passed.
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "server/conn_info.hpp"
#include "server/net.hpp"
#include "server/waiting_connection.hpp"

namespace gk::server {

struct Worker;

// How long a connection waits for its next request with its session intact.
// Long enough that a client with a steady stream of requests never parks
// (unparking builds a new session), short enough that an idle crowd costs
// little memory.
inline constexpr auto kParkAfter = std::chrono::milliseconds(250);

struct ParkedConnection
    : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
    ParkedConnection(tcp::socket s, ConnInfo i, std::chrono::steady_clock::time_point until)
        : socket(std::move(s)), info(std::move(i)), idle_until(until) {
        waiting.socket = &socket;
    }
    tcp::socket socket;
    ConnInfo info;
    Connection waiting;  // its place among the connections waiting for a head
    std::chrono::steady_clock::time_point idle_until;
};

// Fixed-size blocks for parked connections and their readiness waits, carved
// from chunks large enough that malloc maps them apart from its heap: these
// small objects outlive the sessions whose memory was just freed, and
// scattered among it they would pin its pages (so malloc_trim could give
// back nothing). Shared by its allocators: a wait destroyed with the
// io_context, after the worker's members, still has somewhere to return to.
class ParkBlocks {
public:
    static constexpr std::size_t kBlock = 256;
    void* allocate(std::size_t n);
    void deallocate(void* p, std::size_t n) noexcept;

private:
    struct Free {
        Free* next;
    };
    Free* free_ = nullptr;
    std::vector<std::unique_ptr<std::byte[]>> chunks_;
    std::size_t carved_ = 0;  // blocks used from the newest chunk
};

template <class T>
struct ParkAllocator {
    using value_type = T;
    std::shared_ptr<ParkBlocks> blocks;
    explicit ParkAllocator(std::shared_ptr<ParkBlocks> b) : blocks(std::move(b)) {}
    template <class U>
    ParkAllocator(const ParkAllocator<U>& o) : blocks(o.blocks) {}  // NOLINT: allocator rebind
    T* allocate(std::size_t n) { return static_cast<T*>(blocks->allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { blocks->deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const ParkAllocator<U>& o) const {
        return blocks == o.blocks;
    }
};

class ParkedConnections {
public:
    using clock = std::chrono::steady_clock;

    explicit ParkedConnections(asio::io_context& ioc)
        : sweep_(ioc), blocks_(std::make_shared<ParkBlocks>()) {}
    ParkedConnections(const ParkedConnections&) = delete;
    ParkedConnections& operator=(const ParkedConnections&) = delete;

    // Takes over `sock` until it is readable, then hands it to a new plain
    // session; closes it when `idle_until` passes first, or when its waiting
    // entry is cancelled (reclaim, drain). `place` is the parking session's
    // waiting entry: the parked connection takes its position.
    void park(Worker& w, tcp::socket sock, ConnInfo info, Connection& place, clock::time_point idle_until);

private:
    void sweep_later();
    void close_expired();

    asio::steady_timer sweep_;
    std::shared_ptr<ParkBlocks> blocks_;
    bool sweeping_ = false;
    std::size_t parked_since_trim_ = 0;
    boost::intrusive::list<ParkedConnection, boost::intrusive::constant_time_size<false>> entries_;
};

}  // namespace gk::server
