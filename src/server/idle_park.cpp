#include "server/idle_park.hpp"

#include <malloc.h>
#include <sys/socket.h>

#include <boost/asio/bind_allocator.hpp>
#include <cerrno>
#include <memory>
#include <new>

#include "server/connection_cap.hpp"
#include "server/session.hpp"
#include "server/worker.hpp"

namespace gk::server {
namespace {

// How often parked connections are checked against their idle timeout: the
// timeout is kept to within this much.
constexpr auto kSweepEvery = std::chrono::milliseconds(500);
// After this many connections parked, the sweep hands free heap pages back:
// a crowd of connections that went idle together freed several KiB each,
// which glibc would otherwise keep resident for good.
constexpr std::size_t kTrimAfterParked = 256;
// Above malloc's mmap threshold (128 KiB), so each chunk is a mapping of its own.
constexpr std::size_t kChunkBlocks = 1024;

struct ParkedDelete {
    std::shared_ptr<ParkBlocks> blocks;
    void operator()(ParkedConnection* p) const noexcept {
        p->~ParkedConnection();
        blocks->deallocate(p, sizeof(ParkedConnection));
    }
};
static_assert(sizeof(ParkedConnection) <= ParkBlocks::kBlock);
static_assert(alignof(ParkedConnection) <= alignof(std::max_align_t));

}  // namespace

void* ParkBlocks::allocate(std::size_t n) {
    if (n > kBlock) return ::operator new(n);
    if (free_) {
        void* p = free_;
        free_ = free_->next;
        return p;
    }
    if (chunks_.empty() || carved_ == kChunkBlocks) {
        chunks_.push_back(std::make_unique<std::byte[]>(kBlock * kChunkBlocks));
        carved_ = 0;
    }
    return chunks_.back().get() + kBlock * carved_++;
}

void ParkBlocks::deallocate(void* p, std::size_t n) noexcept {
    if (n > kBlock) {
        ::operator delete(p);
        return;
    }
    free_ = ::new (p) Free{free_};
}

void ParkedConnections::park(Worker& w, tcp::socket sock, ConnInfo info, Connection& place,
                             clock::time_point idle_until) {
    std::unique_ptr<ParkedConnection, ParkedDelete> parked(
        ::new (blocks_->allocate(sizeof(ParkedConnection)))
            ParkedConnection(std::move(sock), std::move(info), idle_until),
        ParkedDelete{blocks_});
    auto& p = *parked;
    if (place.is_linked())
        p.waiting.swap_nodes(place);
    else
        w.waiting.push_back(p.waiting);
    entries_.push_back(p);
    ++parked_since_trim_;
    // The handler owns the parked connection: an io_context destroyed with
    // the wait pending frees it too.
    auto on_readable = [this, &w, parked = std::move(parked)](const error_code& ec) mutable {
        parked->unlink();
        parked->waiting.unlink();
        // Readable because the client closed or reset it (the usual end of
        // an idle connection): close here rather than start a session only
        // to read the end of stream and linger.
        char probe = 0;
        const auto peeked =
            ec ? 1 : ::recv(parked->socket.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
        const bool closed_by_client = peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        // Cancelled (idle timeout, reclaimed, draining), failed or closed by
        // the client: close. Nothing is unread unless a request raced a
        // reclaim or a drain.
        if (ec || w.draining || parked->waiting.reclaimed || closed_by_client) {
            error_code ignore;
            parked->socket.close(ignore);
            release_slot(w);
            return;
        }
        spawn_session(w, std::move(parked->socket), nullptr, std::move(parked->info));
    };
    p.socket.async_wait(tcp::socket::wait_read,
                        asio::bind_allocator(ParkAllocator<void>(blocks_), std::move(on_readable)));
    sweep_later();
}

void ParkedConnections::sweep_later() {
    if (sweeping_ || entries_.empty()) return;
    sweeping_ = true;
    sweep_.expires_after(kSweepEvery);
    sweep_.async_wait([this](const error_code& ec) {
        sweeping_ = false;
        if (ec) return;
        close_expired();
        if (parked_since_trim_ >= kTrimAfterParked) {
            parked_since_trim_ = 0;
            ::malloc_trim(0);
        }
        sweep_later();
    });
}

// A full pass rather than stopping at the first live entry: a reload may
// shorten idle_timeout, and entries parked before it then expire first.
void ParkedConnections::close_expired() {
    const auto now = clock::now();
    for (auto& p : entries_) {
        if (p.idle_until > now) continue;
        error_code ignore;
        p.socket.cancel(ignore);  // its wait ends with operation_aborted and closes it
    }
}

}  // namespace gk::server
