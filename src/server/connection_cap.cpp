#include "server/connection_cap.hpp"

#include <sys/resource.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>

namespace gk::server {
namespace {

// Another thread's connections ending do not wake this thread's paused
// accept loops; they look again this often.
constexpr auto kSlotPoll = std::chrono::milliseconds(20);
constexpr auto kAcceptErrorPause = std::chrono::milliseconds(50);
// A worker at its limits logs that at most this often.
constexpr auto kWarnEvery = std::chrono::seconds(10);

bool try_take(Worker& w) {
    Shared& s = w.shared;
    const auto cap = w.runtime->policy.limits.max_connections;
    int n = s.open_connections.load();
    while (static_cast<std::size_t>(n) < cap)
        if (s.open_connections.compare_exchange_weak(n, n + 1)) return true;
    return false;
}

bool due_for_warning(Worker& w) {
    const auto now = std::chrono::steady_clock::now();
    if (w.last_limit_warning.time_since_epoch().count() != 0 && now - w.last_limit_warning < kWarnEvery)
        return false;
    w.last_limit_warning = now;
    return true;
}

// Connections are spread over the threads by the kernel: the one to reclaim
// may wait on another thread. Ask one other worker per call, in turn; its
// freed slot is seen at this loop's next poll.
void reclaim_for_newcomer(Worker& w) {
    if (reclaim_longest_waiting(w)) return;
    const auto& all = w.shared.workers;
    if (all.size() < 2) return;
    w.reclaim_peer = (w.reclaim_peer + 1) % all.size();
    if (all[w.reclaim_peer] == &w) w.reclaim_peer = (w.reclaim_peer + 1) % all.size();
    Worker* peer = all[w.reclaim_peer];
    asio::post(peer->ioc, [peer] { reclaim_longest_waiting(*peer); });
}

}  // namespace

OpenFileLimit raise_open_file_limit() {
    OpenFileLimit out;
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        out.error = std::error_code(errno, std::system_category());
        return out;
    }
    out.soft = rl.rlim_cur;
    out.hard = rl.rlim_max;
    if (rl.rlim_cur >= rl.rlim_max) return out;
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    // Fails when the hard limit is RLIM_INFINITY (above fs.nr_open): keep the soft one.
    if (::setrlimit(RLIMIT_NOFILE, &want) != 0)
        out.error = std::error_code(errno, std::system_category());
    else
        out.soft = rl.rlim_max;
    return out;
}

asio::awaitable<bool> take_slot(Worker& w, tcp::acceptor& acc) {
    asio::steady_timer pause(w.ioc);
    while (!try_take(w)) {
        if (w.draining || !acc.is_open()) co_return false;
        reclaim_for_newcomer(w);
        if (due_for_warning(w))
            w.shared.access_log->warn("{{\"warning\":\"max_connections reached\",\"max_connections\":{}}}",
                                      w.runtime->policy.limits.max_connections);
        pause.expires_after(kSlotPoll);
        w.paused_accepts.push_back(&pause);
        co_await pause.async_wait(use_nothrow);
        std::erase(w.paused_accepts, &pause);
    }
    co_return true;
}

void release_slot(Worker& w) {
    w.shared.open_connections.fetch_sub(1);
    for (auto* t : w.paused_accepts) t->cancel();
}

bool reclaim_longest_waiting(Worker& w) {
    if (w.waiting.empty()) return false;
    auto& c = w.waiting.front();
    w.waiting.pop_front();
    c.reclaimed = true;
    error_code ignore;
    c.socket->cancel(ignore);
    return true;
}

asio::awaitable<void> back_off_after_accept_error(Worker& w, const error_code& ec) {
    const bool out_of_fds =
        ec == asio::error::no_descriptors || ec == error_code(ENFILE, boost::system::system_category());
    if (out_of_fds) reclaim_longest_waiting(w);
    if (due_for_warning(w))
        w.shared.access_log->warn("{{\"warning\":\"accept failed, pausing\",\"error\":\"{}\"}}",
                                  ec.message());
    asio::steady_timer t(w.ioc, kAcceptErrorPause);
    co_await t.async_wait(use_nothrow);
}

}  // namespace gk::server
