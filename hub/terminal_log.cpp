#include "hub/terminal_log.hpp"

#include <chrono>
#include <ctime>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace telehub::hub {
namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "HH:MM:SS.mmm", local time.
std::string clock_text(std::int64_t ts_ms) {
    std::time_t secs = static_cast<std::time_t>(ts_ms / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ts_ms % 1000));
    return buf;
}

}  // namespace

TerminalLog::TerminalLog(TerminalLogOptions options) : options_(std::move(options)) {
    color_ = options_.color.value_or(options_.out && ::isatty(::fileno(options_.out)) == 1);
    thread_ = std::thread([this] { run(); });
}

TerminalLog::~TerminalLog() { stop(); }

void TerminalLog::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void TerminalLog::sample(SampleLogLine line) {
    if (!wants_sample(line.cpu)) return;
    Item item;
    item.ts_ms = line.ts_ms;
    item.sample = std::move(line);
    push(std::move(item));
}

void TerminalLog::event(std::string text) {
    Item item;
    item.is_event = true;
    item.ts_ms = now_ms();
    item.text = std::move(text);
    push(std::move(item));
}

std::string TerminalLog::leak_text(std::string_view host_id, const LeakSuspect& s, bool appeared) {
    std::string text = appeared ? "leak suspect: host '" : "leak cleared: host '";
    text += host_id;
    text += "' pid " + std::to_string(s.pid) + " (" + s.name + ") reason " + s.reason + ": " + s.evidence;
    return text;
}

void TerminalLog::leak(std::string_view host_id, const LeakSuspect& suspect, bool appeared) {
    event(leak_text(host_id, suspect, appeared));
}

void TerminalLog::push(Item item) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        if (queue_.size() >= options_.queue_limit) {
            ++dropped_unreported_;
            dropped_total_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        queue_.push_back(std::move(item));
    }
    cv_.notify_one();
}

std::string TerminalLog::format_sample(const SampleLogLine& l) const {
    const bool hot = l.cpu >= options_.high_cpu;
    if (options_.format == LogFormat::json) {
        nlohmann::json j = {{"ts_ms", l.ts_ms},         {"host_id", l.host_id},
                            {"seq", l.seq},             {"cpu", l.cpu},
                            {"hot", hot},               {"top", {{"name", l.top_name}, {"cpu", l.top_cpu}}},
                            {"tcp_established", l.tcp_established}, {"tcp_listen", l.tcp_listen},
                            {"sockets_total", l.sockets_total},     {"backfill", l.backfill}};
        return j.dump() + "\n";
    }
    char buf[512];
    const char* on = hot && color_ ? "\x1b[1;31m" : "";
    const char* off = hot && color_ ? "\x1b[0m" : "";
    std::snprintf(buf, sizeof buf, "%s %s%-3s %-20s cpu %5.1f%%  top %-15s %6.1f%%  tcp est %u listen %u  sockets %u%s%s\n",
                  clock_text(l.ts_ms).c_str(), on, hot ? "HOT" : "", l.host_id.c_str(), l.cpu,
                  l.top_name.empty() ? "-" : l.top_name.c_str(), l.top_cpu, l.tcp_established, l.tcp_listen,
                  l.sockets_total, l.backfill ? "  (backfill)" : "", off);
    return buf;
}

std::string TerminalLog::format_event(std::int64_t ts_ms, const std::string& text) const {
    if (options_.format == LogFormat::json) return nlohmann::json{{"ts_ms", ts_ms}, {"event", text}}.dump() + "\n";
    return clock_text(ts_ms) + " " + text + "\n";
}

void TerminalLog::run() {
    std::vector<Item> batch;
    auto next_report = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (;;) {
        std::uint64_t dropped = 0;
        bool stopping;
        {
            std::unique_lock lock(mu_);
            cv_.wait_until(lock, next_report, [this] { return stopping_ || !queue_.empty(); });
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
            queue_.clear();
            stopping = stopping_;
            if (std::chrono::steady_clock::now() >= next_report || stopping) {
                dropped = dropped_unreported_;
                dropped_unreported_ = 0;
            }
        }
        bool wrote_out = false, wrote_err = false;
        for (const auto& item : batch) {
            auto text = item.is_event ? format_event(item.ts_ms, item.text) : format_sample(item.sample);
            std::FILE* f = item.is_event ? options_.err : options_.out;
            std::fwrite(text.data(), 1, text.size(), f);
            (item.is_event ? wrote_err : wrote_out) = true;
        }
        batch.clear();
        if (dropped > 0) {
            auto text = format_event(now_ms(), "terminal log: " + std::to_string(dropped) + " lines dropped (queue full)");
            std::fwrite(text.data(), 1, text.size(), options_.err);
            wrote_err = true;
        }
        if (wrote_out) std::fflush(options_.out);
        if (wrote_err) std::fflush(options_.err);
        if (std::chrono::steady_clock::now() >= next_report)
            next_report = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        if (stopping) {
            std::lock_guard lock(mu_);
            if (queue_.empty()) return;
        }
    }
}

}  // namespace telehub::hub
