#include "hub/log/terminal_log.hpp"

#include <algorithm>
#include <chrono>
#include <utility>
#include <stdexcept>
#include <cstring>
#include <cerrno>
#include <ctime>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Host ids, process names and request paths come from agents and peers: a
// control byte among them (ESC above all) would reach the operator's terminal
// as a command, so the text log writes each as \xNN.
std::string printable(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(ch);
        }
    }
    return out;
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
    if (!options_.file.empty()) {
        file_ = std::fopen(options_.file.c_str(), "ae");
        if (!file_)
            throw std::runtime_error("cannot open the log file '" + options_.file + "': " + std::strerror(errno) +
                                     " (--log-file)");
        options_.out = options_.err = file_;
    }
    color_ = options_.color.value_or(options_.out && ::isatty(::fileno(options_.out)) == 1);
    thread_ = std::thread([this] { run(); });
}

TerminalLog::~TerminalLog() {
    stop();
    if (file_) std::fclose(file_);
}

void TerminalLog::reopen() {
    {
        std::lock_guard lock(mu_);
        reopen_ = true;
        urgent_ = true;
    }
    cv_.notify_one();
}

void TerminalLog::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

// Queues only: the thread writes what is waiting every `write_period`, so a
// sample line costs the io thread no wake-up of the log thread.
constexpr auto write_period = std::chrono::milliseconds(100);

void TerminalLog::roll_tally_locked(std::int64_t second) {
    if (tally_.samples > tally_.shown && queue_.size() < options_.queue_limit) {
        Item item;
        item.kind = Kind::summary;
        item.ts_ms = tally_.second * 1000;
        item.tally = std::move(tally_);
        queue_.push_back(std::move(item));
    }
    tally_ = SecondTally{};
    tally_.second = second;
}

bool TerminalLog::admit(std::int64_t ts_ms, double cpu, std::string_view host_id, std::string_view hostname) {
    std::lock_guard lock(mu_);
    const std::int64_t second = ts_ms / 1000;
    if (second != tally_.second) roll_tally_locked(second);
    ++tally_.samples;
    if (cpu >= high_cpu()) ++tally_.hot;
    if (cpu > tally_.max_cpu) {
        tally_.max_cpu = cpu;
        tally_.max_host.assign(host_id);
        tally_.max_hostname.assign(hostname);
    }
    if (options_.max_lines_per_s != 0 && tally_.shown >= options_.max_lines_per_s) return false;
    ++tally_.shown;
    return true;
}

void TerminalLog::sample(const telehub::Sample& s, std::string_view hostname, std::int64_t received_ms) {
    if (!wants_sample(s.cpu.total) || !admit(received_ms, s.cpu.total, s.host_id, hostname)) return;
    Item item;
    item.ts_ms = received_ms;
    SampleLogLine& line = item.sample;
    line.ts_ms = received_ms;
    line.host_id = s.host_id;
    line.hostname = hostname;
    line.seq = s.seq;
    line.cpu = s.cpu.total;
    if (!s.top.empty()) {
        line.top_name = s.top.front().name;
        line.top_cpu = s.top.front().cpu;
    }
    line.tcp_established = s.sockets.tcp[tcp_established];
    line.tcp_listen = s.sockets.tcp[tcp_listen];
    line.sockets_total = s.sockets.total();
    line.backfill = s.backfill;
    push(std::move(item), false);
}

void TerminalLog::sample(SampleLogLine line) {
    if (!wants_sample(line.cpu) || !admit(line.ts_ms, line.cpu, line.host_id, line.hostname)) return;
    Item item;
    item.ts_ms = line.ts_ms;
    item.sample = std::move(line);
    push(std::move(item), false);
}

void TerminalLog::event(std::string text) {
    Item item;
    item.kind = Kind::event;
    item.ts_ms = now_ms();
    item.text = std::move(text);
    push(std::move(item), true);
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

void TerminalLog::push(Item item, bool wake) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        if (queue_.size() >= options_.queue_limit) {
            ++dropped_unreported_;
            dropped_total_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        queue_.push_back(std::move(item));
        if (wake) urgent_ = true;
    }
    if (wake) cv_.notify_one();
}

// What a person knows a machine by is its hostname; the id, which may be a
// machine-id of 32 hex digits, follows cut to 12 characters, enough to tell
// apart two hosts of one name. An id that is the hostname stands alone.
static std::string host_label(std::string_view host_id, std::string_view hostname) {
    if (hostname.empty() || hostname == host_id) return printable(host_id);
    std::size_t cut = std::min<std::size_t>(host_id.size(), 12);
    while (cut > 0 && cut < host_id.size() && (static_cast<unsigned char>(host_id[cut]) & 0xc0) == 0x80)
        --cut;  // not inside a UTF-8 sequence
    return printable(hostname) + " (" + printable(host_id.substr(0, cut)) + ")";
}

std::string TerminalLog::format_summary(const SecondTally& t) const {
    const std::uint64_t hidden = t.samples - t.shown;
    if (options_.format == LogFormat::json) {
        nlohmann::json j = {{"ts_ms", t.second * 1000},
                            {"summary", {{"samples", t.samples},
                                         {"not_shown", hidden},
                                         {"max_lines_per_s", options_.max_lines_per_s},
                                         {"hot", t.hot},
                                         {"max_cpu", {{"host_id", t.max_host}, {"hostname", t.max_hostname}, {"cpu", t.max_cpu}}}}}};
        return json_text(j) + "\n";
    }
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%s fleet: %llu samples in this second, %llu not shown (over --log-rate %zu/s)  HOT %llu  "
                  "hottest %s %.1f%%\n",
                  clock_text(t.second * 1000).c_str(), static_cast<unsigned long long>(t.samples),
                  static_cast<unsigned long long>(hidden), options_.max_lines_per_s,
                  static_cast<unsigned long long>(t.hot), t.max_host.empty() ? "-" : host_label(t.max_host, t.max_hostname).c_str(),
                  t.max_cpu);
    return buf;
}

std::string TerminalLog::format_sample(const SampleLogLine& l) const {
    const bool hot = l.cpu >= high_cpu();
    if (options_.format == LogFormat::json) {
        nlohmann::json j = {{"ts_ms", l.ts_ms},         {"host_id", l.host_id},  {"hostname", l.hostname},
                            {"seq", l.seq},             {"cpu", l.cpu},
                            {"hot", hot},               {"top", {{"name", l.top_name}, {"cpu", l.top_cpu}}},
                            {"tcp_established", l.tcp_established}, {"tcp_listen", l.tcp_listen},
                            {"sockets_total", l.sockets_total},     {"backfill", l.backfill}};
        return json_text(j) + "\n";
    }
    char buf[640];
    const char* on = hot && color_ ? "\x1b[1;31m" : "";
    const char* off = hot && color_ ? "\x1b[0m" : "";
    // Padded by characters, not bytes (printf's width counts bytes).
    std::string label = host_label(l.host_id, l.hostname);
    const auto chars = static_cast<std::size_t>(
        std::count_if(label.begin(), label.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
    label_width_ = std::clamp(chars, label_width_, max_label_width);
    if (chars < label_width_) label.append(label_width_ - chars, ' ');
    std::snprintf(buf, sizeof buf, "%s %s%-3s %s cpu %5.1f%%  top %-15s %6.1f%%  tcp est %u listen %u  sockets %u%s%s\n",
                  clock_text(l.ts_ms).c_str(), on, hot ? "HOT" : "", label.c_str(), l.cpu,
                  l.top_name.empty() ? "-" : printable(l.top_name).c_str(), l.top_cpu, l.tcp_established, l.tcp_listen,
                  l.sockets_total, l.backfill ? "  (backfill)" : "", off);
    return buf;
}

std::string TerminalLog::format_event(std::int64_t ts_ms, const std::string& text) const {
    if (options_.format == LogFormat::json) return json_text({{"ts_ms", ts_ms}, {"event", text}}) + "\n";
    return clock_text(ts_ms) + " " + printable(text) + "\n";
}

void TerminalLog::run() {
    std::vector<Item> batch;
    auto next_report = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (;;) {
        std::uint64_t dropped = 0;
        bool stopping, reopen;
        {
            std::unique_lock lock(mu_);
            cv_.wait_until(lock, std::min(next_report, std::chrono::steady_clock::now() + write_period),
                           [this] { return stopping_ || urgent_; });
            urgent_ = false;
            reopen = std::exchange(reopen_, false);
            // A quiet second still gets its summary once it is over.
            if (tally_.second != 0 && now_ms() / 1000 > tally_.second) roll_tally_locked(0);
            if (stopping_) roll_tally_locked(0);
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
            queue_.clear();
            stopping = stopping_;
            if (std::chrono::steady_clock::now() >= next_report || stopping) {
                dropped = dropped_unreported_;
                dropped_unreported_ = 0;
            }
        }
        if (reopen && file_) {
            if (std::FILE* fresh = std::fopen(options_.file.c_str(), "ae")) {
                std::fclose(file_);
                file_ = options_.out = options_.err = fresh;
            } else {
                auto text = format_event(now_ms(), "terminal log: reopening '" + options_.file + "' failed (" +
                                                       std::strerror(errno) + "); still writing to the file open before");
                std::fwrite(text.data(), 1, text.size(), file_);
            }
        }
        bool wrote_out = false, wrote_err = false;
        for (const auto& item : batch) {
            const bool is_event = item.kind == Kind::event;
            auto text = is_event                    ? format_event(item.ts_ms, item.text)
                        : item.kind == Kind::sample ? format_sample(item.sample)
                                                    : format_summary(item.tally);
            std::FILE* f = is_event ? options_.err : options_.out;
            std::fwrite(text.data(), 1, text.size(), f);
            (is_event ? wrote_err : wrote_out) = true;
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
