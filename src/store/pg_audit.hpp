#pragma once
// Audit events into the shared PostgreSQL database (table audit_events), so
// a reviewer queries one place for every instance of a cluster. Events are
// the audit log's JSON objects (server/audit_log.hpp), one per line.
//
// record() never waits on the database: it is called on the event loops. It
// queues the event; a thread of this writer inserts what is queued, in one
// statement per batch. When the database is down the queue holds up to
// `max_queued` events (then the newest are dropped and counted, and the
// operator is told); they are written once it is back. The audit log file,
// when configured, still has every event: this is the shared copy, not the
// only one. A batch the server refuses as data (not JSON, a bad time) is
// dropped and counted, never retried: it would hold back every later event.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gatekeeper/common/result.hpp"
#include "store/pg_conn.hpp"

namespace gk::store {

class PgAuditWriter {
public:
    struct Options {
        std::size_t max_queued = 10'000;
        std::size_t max_batch = 500;
        std::chrono::milliseconds retry_after{1000};  // after a failed insert
    };

    // `instance`: how this process is named in the rows (host:pid).
    PgAuditWriter(std::string conninfo, PgOptions pg, std::string instance, Options options);
    // Writes what is still queued, for at most the statement timeout, then stops.
    ~PgAuditWriter();
    PgAuditWriter(const PgAuditWriter&) = delete;
    PgAuditWriter& operator=(const PgAuditWriter&) = delete;

    // `json_object`: one event as a JSON object with "time" and "event" members.
    void record(std::string json_object);

    // For tests and shutdown: true once nothing is queued or in flight (waits at most `bound`).
    bool flushed(std::chrono::milliseconds bound);
    [[nodiscard]] std::uint64_t dropped() const;

private:
    void run();
    Result<Ok, PgError> insert(PgConn& c, const std::deque<std::string>& batch);

    PgPool pool_;
    const std::string instance_;
    const Options options_;
    mutable std::mutex mu_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<std::string> queue_;
    std::size_t in_flight_ = 0;
    std::uint64_t dropped_ = 0;
    bool stopping_ = false;
    bool migrated_ = false;
    std::thread thread_;
};

}  // namespace gk::store
