#include "store/pg_audit.hpp"

#include <utility>

#include "store/pg_schema.hpp"

namespace gk::store {
namespace {

// One round trip per batch: the events travel as one JSON array.
constexpr PgStatement kInsertEvents{
    "gk_audit_insert",
    "INSERT INTO audit_events(at, instance, event, detail)"
    " SELECT (e->>'time')::timestamptz, $1, e->>'event', e FROM jsonb_array_elements($2::jsonb) AS e"};

}  // namespace

PgAuditWriter::PgAuditWriter(std::string conninfo, PgOptions pg, std::string instance, Options options)
    : pool_(std::move(conninfo), pg), instance_(std::move(instance)), options_(options) {
    thread_ = std::thread([this] { run(); });
}

PgAuditWriter::~PgAuditWriter() {
    {
        const std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void PgAuditWriter::record(std::string json_object) {
    {
        const std::lock_guard lock(mu_);
        if (queue_.size() >= options_.max_queued) {
            ++dropped_;
            return;
        }
        queue_.push_back(std::move(json_object));
    }
    wake_.notify_one();
}

bool PgAuditWriter::flushed(std::chrono::milliseconds bound) {
    std::unique_lock lock(mu_);
    return idle_.wait_for(lock, bound, [this] { return queue_.empty() && in_flight_ == 0; });
}

std::uint64_t PgAuditWriter::dropped() const {
    const std::lock_guard lock(mu_);
    return dropped_;
}

Result<Ok, PgError> PgAuditWriter::insert(PgConn& c, const std::deque<std::string>& batch) {
    if (!migrated_) {
        // The table may be new: the first writer of a fresh database makes it.
        if (auto v = pg_migrate(c, pg_issuer_schema()); !v) return fail(v.error());
        migrated_ = true;
    }
    std::string array = "[";
    for (const auto& e : batch) {
        if (array.size() > 1) array += ',';
        array += e;
    }
    array += ']';
    if (auto r = c.exec(kInsertEvents, {instance_, array}); !r) return fail(r.error());
    return Ok{};
}

void PgAuditWriter::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        std::deque<std::string> batch;
        while (!queue_.empty() && batch.size() < options_.max_batch) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        in_flight_ = batch.size();
        const bool last_try = stopping_;
        lock.unlock();
        Result<Ok, PgError> done = Ok{};
        if (auto c = pool_.acquire())
            done = insert(**c, batch);
        else
            done = fail(c.error());
        lock.lock();
        in_flight_ = 0;
        if (!done && !done.error().connection_lost() && done.error().sqlstate.starts_with("22")) {
            // The server refused the data itself (22xxx: not JSON, a bad time):
            // retrying cannot help, and would hold back every later event.
            dropped_ += batch.size();
        } else if (!done) {
            if (last_try) return;  // shutting down with the database away: the file has them
            // Back to the front, in order, within the bound; then wait before the next try.
            while (!batch.empty() && queue_.size() < options_.max_queued) {
                queue_.push_front(std::move(batch.back()));
                batch.pop_back();
            }
            dropped_ += batch.size();
            wake_.wait_for(lock, options_.retry_after, [this] { return stopping_; });
        }
        if (queue_.empty()) idle_.notify_all();
    }
}

}  // namespace gk::store
