#include "hub/control/audit_log.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

constexpr std::uintmax_t tail_bytes_read_at_start = 1 << 20;

std::string iso_time(std::int64_t ts_ms) {
    std::time_t secs = static_cast<std::time_t>(ts_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];  // room for any int fields, so the compiler can prove no truncation
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ts_ms % 1000));
    return buf;
}

json parsed_or_text(const std::string& text) {
    // The args and results are JSON this hub produced or validated; if one is
    // not, the line still records it, as a string.
    auto j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json(text) : j;
}

}  // namespace

std::string audit_line(const AuditEntry& e) {
    json j{{"time", iso_time(e.ts_ms)}, {"ts_ms", e.ts_ms},   {"client", e.client}, {"token", e.token_name},
           {"host", e.host},            {"op", e.op},         {"args", parsed_or_text(e.args_json)},
           {"status", e.status}};
    if (!e.command_id.empty()) j["id"] = e.command_id;
    if (!e.held_by.empty()) j["held_by"] = e.held_by;
    if (!e.for_hub.empty()) j["for_hub"] = e.for_hub;
    if (!e.result_json.empty()) j["result"] = parsed_or_text(e.result_json);
    else j["result_bytes"] = e.result_bytes;
    j["error"] = e.error_code.empty() ? json(nullptr) : json{{"code", e.error_code}, {"message", e.error_message}};
    j["ms"] = e.ms;
    return json_text(j);
}

AuditLog::AuditLog(std::string path, std::size_t keep_in_memory) : path_(std::move(path)), keep_(keep_in_memory) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto dir = fs::path(path_).parent_path();
    if (!dir.empty()) fs::create_directories(dir, ec);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0)
        open_error_ = "cannot open the audit log '" + path_ + "': " + std::strerror(errno) +
                      "; control commands are refused until it can be (fix it and reload, or choose another with --audit-log)";
    load_tail();
    on_error_ = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
    writer_ = std::thread([this] { run(); });
}

AuditLog::~AuditLog() {
    stop();
    if (fd_ >= 0) ::close(fd_);
}

void AuditLog::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (writer_.joinable()) writer_.join();
}

void AuditLog::set_error_sink(std::function<void(const std::string&)> sink) {
    std::lock_guard lock(mu_);
    on_error_ = std::move(sink);
}

void AuditLog::load_tail() {
    // Only a regular file has a tail to read (/dev/full would read zeros forever).
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path_, ec)) return;
    std::ifstream in(path_, std::ios::binary);  // start-up only
    if (!in) return;
    in.seekg(0, std::ios::end);
    auto size = static_cast<std::uintmax_t>(in.tellg());
    auto from = size > tail_bytes_read_at_start ? size - tail_bytes_read_at_start : 0;
    in.seekg(static_cast<std::streamoff>(from));
    std::string line;
    if (from > 0) std::getline(in, line);  // most likely cut in the middle
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        recent_.push_back(line);
        if (recent_.size() > keep_) recent_.pop_front();
    }
}

void AuditLog::append(const AuditEntry& e, std::function<void(bool)> written) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back({audit_line(e), std::move(written)});
    }
    cv_.notify_one();
}

void AuditLog::check_writable(std::function<void(std::string)> done) {
    {
        std::lock_guard lock(mu_);
        checks_.push_back(std::move(done));
    }
    cv_.notify_one();
}

std::string AuditLog::probe() {
    // Room for a few hundred lines past the end, kept beyond the file's size.
    constexpr off_t reserve_bytes = 64 * 1024;
    if (fd_ < 0) return "the audit log '" + path_ + "' is not open";
    if (::write(fd_, "", 0) < 0) return "the audit log '" + path_ + "' cannot be written: " + std::strerror(errno);
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) &&
        ::fallocate(fd_, FALLOC_FL_KEEP_SIZE, st.st_size, reserve_bytes) != 0 && errno != EOPNOTSUPP)
        return "the audit log '" + path_ + "' has no room: " + std::strerror(errno);
    return {};
}

std::vector<std::string> AuditLog::tail(std::size_t limit) const {
    std::lock_guard lock(mu_);
    auto n = std::min(limit, recent_.size());
    return {recent_.end() - static_cast<std::ptrdiff_t>(n), recent_.end()};
}

bool AuditLog::write_all(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = ::write(fd_, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return ::fdatasync(fd_) == 0;
}

void AuditLog::reopen() {
    {
        std::lock_guard lock(mu_);
        reopen_ = true;
    }
    cv_.notify_one();
}

void AuditLog::reopen_file() {
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;
        std::function<void(const std::string&)> sink;
        {
            std::lock_guard lock(mu_);
            sink = on_error_;
        }
        sink("audit log: reopening '" + path_ + "' failed, still writing to the file open before: " + std::strerror(err));
        return;
    }
    if (fd_ >= 0) ::close(fd_);  // fd_ is the writer thread's: no lock needed
    fd_ = fd;
}

void AuditLog::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return stopping_ || reopen_ || !queue_.empty() || !checks_.empty(); });
        if (reopen_) {
            reopen_ = false;
            lock.unlock();
            reopen_file();
            lock.lock();
        }
        if (!checks_.empty()) {
            std::deque<std::function<void(std::string)>> checks;
            checks.swap(checks_);
            lock.unlock();
            auto error = probe();
            for (auto& done : checks) done(error);
            lock.lock();
        }
        if (queue_.empty()) {
            if (stopping_) return;  // all written
            continue;
        }
        // Everything queued goes out in one write and one fdatasync.
        std::deque<Pending> batch;
        batch.swap(queue_);
        lock.unlock();
        std::string text;
        for (const auto& p : batch) text += p.line + '\n';
        if (fd_ < 0) errno = EBADF;
        bool ok = fd_ >= 0 && write_all(text);
        int err = errno;
        lock.lock();
        for (auto& p : batch) {
            recent_.push_back(std::move(p.line));
            if (recent_.size() > keep_) recent_.pop_front();
        }
        auto sink = on_error_;
        lock.unlock();
        if (!ok) sink("audit log: writing '" + path_ + "' failed: " + std::strerror(err));
        for (auto& p : batch)
            if (p.written) p.written(ok);
        lock.lock();
    }
}

}  // namespace telehub::hub
