#include "hub/store/history_store.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <utility>

#include "hub/store/sqlite_db.hpp"
#include "hub/store/store_writer.hpp"

namespace telehub::hub {
namespace {

// Batches gather this long before one transaction writes them all.
constexpr auto write_period = std::chrono::milliseconds(250);
constexpr std::int64_t prune_period_ms = 60'000;

std::vector<std::string> split_names(std::span<const std::uint8_t> blob) {
    std::vector<std::string> out;
    std::string cur;
    for (auto c : blob) {
        if (c == 0) out.push_back(std::exchange(cur, {}));
        else cur.push_back(static_cast<char>(c));
    }
    return out;
}

// Runs ordered by their oldest point, each in seq order without repeats.
void order_runs(LoadedHost& h) {
    for (auto& r : h.runs) {
        std::sort(r.entries.begin(), r.entries.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
        r.entries.erase(std::unique(r.entries.begin(), r.entries.end(), [](const auto& a, const auto& b) { return a.seq == b.seq; }),
                        r.entries.end());
    }
    std::erase_if(h.runs, [](const auto& r) { return r.entries.empty(); });
    std::sort(h.runs.begin(), h.runs.end(), [](const auto& a, const auto& b) {
        return a.entries.front().ts_ms < b.entries.front().ts_ms;
    });
}

}  // namespace

HistoryStore::HistoryStore(StoreOptions options)
    : options_(std::move(options)),
      writer_(std::make_unique<StoreWriter>(options_.path)),
      reader_(std::make_unique<SqliteDb>(options_.path)) {}

HistoryStore::~HistoryStore() { stop(); }

void HistoryStore::set_error_sink(std::function<void(const std::string&)> sink) { error_sink_ = std::move(sink); }

void HistoryStore::load(std::int64_t now_ms, const std::function<void(LoadedHost&&)>& each) {
    if (!writer_->prune(now_ms - options_.forget_after_ms, now_ms - options_.keep_full_ms, now_ms - options_.retention_ms) &&
        error_sink_)
        error_sink_("history store " + options_.path + ": pruning at start failed: " + writer_->error());
    std::lock_guard lock(read_mu_);
    std::map<std::int64_t, LoadedHost> hosts;  // by key
    {
        SqliteStatement q(*reader_, "SELECT key, host_id, hostname, cores, interval_ms, instance, last_seq, last_seen_ms FROM hosts");
        while (q.step()) {
            auto& h = hosts[q.int64(0)];
            h.meta.host_id = q.text(1);
            h.meta.hostname = q.text(2);
            h.meta.cores = static_cast<std::uint32_t>(q.int64(3));
            h.meta.interval_ms = static_cast<std::uint32_t>(q.int64(4));
            h.meta.instance = q.int64(5);
            h.meta.last_seq = static_cast<std::uint64_t>(q.int64(6));
            h.meta.last_seen_ms = q.int64(7);
        }
    }
    SqliteStatement q(*reader_, "SELECT host, instance, first_ts, count, names, data FROM blocks WHERE last_ts >= ?1 ORDER BY host, first_ts");
    q.bind(1, now_ms - options_.keep_full_ms);
    auto next = hosts.begin();
    std::vector<HistoryPoint> pts;
    auto emit_until = [&](std::int64_t key) {  // hosts before `key` are complete
        for (; next != hosts.end() && next->first < key; next = hosts.erase(next)) {
            order_runs(next->second);
            each(std::move(next->second));
        }
    };
    while (q.step()) {
        const auto key = q.int64(0);
        emit_until(key);
        if (next == hosts.end() || next->first != key) continue;  // rows of a host already forgotten
        auto& h = next->second;
        const auto instance = q.int64(1);
        const auto base = q.int64(2);
        HistoryBlock b;
        b.count = static_cast<std::uint16_t>(q.int64(3));
        auto names = split_names(q.blob(4));
        auto data = q.blob(5);
        b.bytes.assign(data.begin(), data.end());
        pts.clear();
        decode_block(b, base, pts);
        if (h.runs.empty() || h.runs.back().instance != instance) {
            auto it = std::find_if(h.runs.begin(), h.runs.end(), [&](const auto& r) { return r.instance == instance; });
            if (it == h.runs.end()) h.runs.push_back({instance, {}});
            else std::rotate(it, it + 1, h.runs.end());  // the matching run goes last
        }
        for (const auto& p : pts)
            h.runs.back().entries.push_back(
                entry_of(p, base + p.ts_offset_ms, p.top_name < names.size() ? names[p.top_name] : std::string()));
    }
    emit_until(std::numeric_limits<std::int64_t>::max());
}

void HistoryStore::start(std::function<std::int64_t()> clock) {
    clock_ = std::move(clock);
    last_prune_ms_ = clock_();
    thread_ = std::thread([this] { run(); });
}

void HistoryStore::save(SaveBatch batch) {
    {
        std::lock_guard lock(mu_);
        queue_.emplace_back(std::move(batch));
        ++enqueued_;
    }
    cv_.notify_one();
}

void HistoryStore::forget(std::string host_id) {
    {
        std::lock_guard lock(mu_);
        queue_.emplace_back(Forget{std::move(host_id)});
        ++enqueued_;
    }
    cv_.notify_one();
}

void HistoryStore::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait_for(lock, std::chrono::milliseconds(prune_period_ms), [this] { return stop_ || !queue_.empty(); });
        std::deque<Op> ops;
        ops.swap(queue_);
        const bool stopping = stop_;
        lock.unlock();
        std::uint64_t points = 0, bytes = 0, batches = 0, errors = 0;
        std::string first_error;
        if (!ops.empty()) {
            bool ok = writer_->begin();
            for (const auto& op : ops) {
                if (auto* b = std::get_if<SaveBatch>(&op)) {
                    auto n = writer_->write(*b);
                    if (n < 0) {
                        ++errors;
                        if (first_error.empty()) first_error = "saving host '" + b->meta.host_id + "': " + writer_->error();
                        continue;
                    }
                    bytes += static_cast<std::uint64_t>(n);
                    points += b->points.points.size();
                    ++batches;
                } else if (!writer_->forget(std::get<Forget>(op).host_id)) {
                    ++errors;
                    if (first_error.empty()) first_error = "forgetting host '" + std::get<Forget>(op).host_id + "': " + writer_->error();
                }
            }
            if (!ok || !writer_->commit()) {
                writer_->rollback();
                errors = ops.size();
                if (first_error.empty()) first_error = "committing " + std::to_string(ops.size()) + " writes: " + writer_->error();
                points = bytes = batches = 0;
            }
        }
        const auto now = clock_();
        if (now - last_prune_ms_ >= prune_period_ms) {
            last_prune_ms_ = now;
            if (!writer_->prune(now - options_.forget_after_ms, now - options_.keep_full_ms, now - options_.retention_ms)) {
                ++errors;
                if (first_error.empty()) first_error = "pruning: " + writer_->error();
            }
        }
        if (!first_error.empty() && error_sink_)
            error_sink_("history store " + options_.path + ": " + std::to_string(errors) + " failed writes, first: " + first_error);
        lock.lock();
        counters_.batches_written += batches;
        counters_.points_written += points;
        counters_.bytes_written += bytes;
        counters_.write_errors += errors;
        committed_ += ops.size();
        done_cv_.notify_all();
        if (stopping && queue_.empty()) return;
        // Let the next batches gather (an early wake-up only for stop).
        cv_.wait_for(lock, write_period, [this] { return stop_; });
    }
}

void HistoryStore::flush() {
    std::unique_lock lock(mu_);
    if (!thread_.joinable()) return;
    const auto target = enqueued_;
    cv_.notify_one();
    done_cv_.wait(lock, [&] { return committed_ >= target; });
}

void HistoryStore::stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

std::vector<MinuteRow> HistoryStore::minutes(const std::string& host_id, std::int64_t since_ms, std::int64_t until_ms) {
    std::vector<MinuteRow> out;
    std::lock_guard lock(read_mu_);
    SqliteStatement q(*reader_,
                      "SELECT m.hour_ms, m.data FROM minutes m JOIN hosts h ON m.host = h.key"
                      " WHERE h.host_id = ?1 AND m.hour_ms >= ?2 AND m.hour_ms < ?3 ORDER BY m.hour_ms");
    q.bind(1, host_id).bind(2, hour_of(since_ms)).bind(3, until_ms);
    while (q.step()) {
        for (auto& r : decode_minutes(q.blob(1), q.int64(0)))
            if (r.minute_ms + minute_ms > since_ms && r.minute_ms < until_ms) out.push_back(r);
    }
    return out;
}

StoreCounters HistoryStore::counters() const {
    std::lock_guard lock(mu_);
    auto c = counters_;
    c.queued = queue_.size();
    return c;
}

}  // namespace telehub::hub
