#pragma once
// The cap on client connections (limits.max_connections) and the open-file
// limit it needs.
//
// An accept loop takes a slot only once a client is queued. At the cap it
// first closes the connection that has waited longest for a request head
// (fresh, idle keep-alive or a head still trickling in), as nginx drains its
// reusable connections: slow and idle clients lose, not the newcomer. With
// every connection busy it stops accepting until one ends, and the kernel's
// listen backlog holds newcomers meanwhile. nginx and Envoy instead accept
// and close at their caps; a queued client is only late, a closed one has
// failed, and a full backlog still pushes back (SYNs are dropped, clients
// retry).
#include <cstdint>
#include <system_error>

#include "server/net.hpp"
#include "server/worker.hpp"

namespace gk::server {

struct OpenFileLimit {
    std::uint64_t soft = 0;
    std::uint64_t hard = 0;
    std::error_code error;  // getrlimit/setrlimit failed; soft is what is in force
};

// Raises this process's soft RLIMIT_NOFILE to its hard limit: every client
// connection is a descriptor, and the usual soft default (1024) is far
// below max_connections.
OpenFileLimit raise_open_file_limit();

// Waits until a connection slot is free, reclaiming a waiting connection if
// that frees one. False when the acceptor closed or the server is draining.
asio::awaitable<bool> take_slot(Worker& w, tcp::acceptor& acc);

// Gives a slot back and wakes this worker's accept loops that wait for one.
void release_slot(Worker& w);

// Closes the connection that has waited longest for a request head; false
// when none waits. Its session ends on its next turn and releases the slot.
bool reclaim_longest_waiting(Worker& w);

// accept() failed (EMFILE, ENFILE, ENOBUFS, ...): pause before trying again
// instead of spinning on a listen socket that stays readable. Out of
// descriptors, a waiting connection is reclaimed to free one.
asio::awaitable<void> back_off_after_accept_error(Worker& w, const error_code& ec);

}  // namespace gk::server
