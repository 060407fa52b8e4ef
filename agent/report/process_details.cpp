#include "agent/report/process_details.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "agent/collect/host/host.hpp"
#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {

namespace {

std::optional<double> boot_time_of(std::string_view stat_text) {
    auto pos = stat_text.find("\nbtime ");
    if (pos == std::string_view::npos) return std::nullopt;
    stat_text.remove_prefix(pos + 7);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(stat_text.data(), stat_text.data() + stat_text.size(), v);
    if (ec != std::errc{}) return std::nullopt;
    return static_cast<double>(v);
}

}  // namespace

ProcessDetailsReader::ProcessDetailsReader(std::string proc_root)
    : proc_root_(std::move(proc_root)), root_(proc_root_) {
    if (root_.ok()) pids_ = std::make_unique<ProcessPids>(root_.fd());
    long hz = ::sysconf(_SC_CLK_TCK);
    if (hz > 0) host_.ticks_per_s = static_cast<double>(hz);
    long ps = ::sysconf(_SC_PAGESIZE);
    if (ps > 0) host_.page_size = static_cast<std::uint64_t>(ps);
}

void ProcessDetailsReader::refresh_host() {
    // Read once per request: boot time is fixed, but a test tree or a
    // hot-plugged memory bank may change MemTotal.
    if (read_file_at(root_.fd(), "stat", buf_))
        if (auto bt = boot_time_of(buf_)) host_.boot_time = *bt;
    host_.mem_total = 0;
    if (read_file_at(root_.fd(), "meminfo", buf_))
        if (auto mem = parse_meminfo(buf_)) host_.mem_total = mem->total;
}

const char* ProcessDetailsReader::path(int pid, const char* file) {
    auto [p, ec] = std::to_chars(path_, path_ + 16, pid);
    (void)ec;  // an int never needs more than 11 characters
    *p++ = '/';
    std::strcpy(p, file);  // callers pass short fixed names
    return path_;
}

std::optional<std::string> ProcessDetailsReader::read_link(int pid, const char* what, bool missing_is_empty) {
    char target[4096];
    ssize_t n = ::readlinkat(root_.fd(), path(pid, what), target, sizeof target);
    if (n >= 0) return std::string(target, static_cast<std::size_t>(n));
    // A kernel thread or a zombie has no executable: psutil reports "".
    if (errno == ENOENT && missing_is_empty) return std::string();
    return std::nullopt;  // EACCES (another user's process) or gone
}

std::optional<std::uint32_t> ProcessDetailsReader::count_fds(int pid) {
    int fd = ::openat(root_.fd(), path(pid, "fd"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        ::close(fd);
        return std::nullopt;
    }
    std::uint32_t n = 0;
    while (const dirent* d = ::readdir(dir))
        if (d->d_name[0] != '.') ++n;
    ::closedir(dir);
    return n;
}

bool ProcessDetailsReader::read_process(int pid, const DetailsLookups& lookups,
                                        std::optional<std::uint32_t> only_uid, ProcessDetails& out) {
    if (!read_file_at(root_.fd(), path(pid, "stat"), stat_buf_)) return false;  // exited
    auto st = parse_pid_stat(stat_buf_);
    if (!st || st->pid != pid) return false;
    if (!read_file_at(root_.fd(), path(pid, "status"), buf_)) return false;
    auto ids = parse_status_ids(buf_);
    if (!ids) return false;
    if (only_uid && ids->uids.real != *only_uid) return false;

    out = ProcessDetails{};
    out.pid = pid;
    out.ppid = st->ppid;
    out.name.assign(st->comm);
    out.status = process_status_name(st->state);
    out.nice = st->nice;
    out.num_threads = st->num_threads;
    out.starttime = st->starttime;
    out.kernel_thread = st->kernel_thread();
    out.uids = ids->uids;
    out.gids = ids->gids;
    out.username = users_.name(ids->uids.real);
    out.ctx_voluntary = ids->voluntary_ctxt_switches;
    out.ctx_involuntary = ids->nonvoluntary_ctxt_switches;
    out.create_time = host_.boot_time + static_cast<double>(st->starttime) / host_.ticks_per_s;
    out.cpu_user = static_cast<double>(st->utime) / host_.ticks_per_s;
    out.cpu_system = static_cast<double>(st->stime) / host_.ticks_per_s;
    out.rss = st->rss_pages * host_.page_size;
    out.vms = st->vsize;
    if (host_.mem_total > 0) out.memory_percent = static_cast<double>(out.rss) * 100.0 / static_cast<double>(host_.mem_total);
    out.terminal = tty_device_name(st->tty_nr);

    // cmdline is world-readable; failing to read it means the process is going away.
    if (read_file_at(root_.fd(), path(pid, "cmdline"), buf_)) out.cmdline = split_cmdline(buf_);
    out.exe = read_link(pid, "exe", true);
    out.cwd = read_link(pid, "cwd", false);
    out.num_fds = count_fds(pid);

    if (lookups.cpu_percent)
        if (auto cpu = lookups.cpu_percent(pid, st->starttime)) out.cpu_percent = *cpu;
    // A kernel thread holds no sockets; its fd directory is empty, not secret.
    if (out.kernel_thread && out.num_fds) out.connections = ProcessSocketTally{};
    else if (lookups.connections)
        if (const ProcessSocketTally* t = lookups.connections(pid, st->starttime)) out.connections = *t;
    return true;
}

std::vector<ProcessDetails> ProcessDetailsReader::read_all(const DetailsLookups& lookups,
                                                           std::optional<std::uint32_t> only_uid) {
    std::vector<ProcessDetails> out;
    if (!ok()) return out;
    refresh_host();
    pids_->list(pid_buf_);
    out.reserve(pid_buf_.size());
    ProcessDetails d;
    for (int pid : pid_buf_)
        if (read_process(pid, lookups, only_uid, d)) out.push_back(std::move(d));
    return out;
}

std::optional<ProcessDetails> ProcessDetailsReader::read_one(int pid, const DetailsLookups& lookups) {
    if (!ok() || pid <= 0) return std::nullopt;
    refresh_host();
    ProcessDetails d;
    if (!read_process(pid, lookups, std::nullopt, d)) return std::nullopt;
    return d;
}

std::vector<std::uint32_t> ProcessDetailsReader::real_uids() {
    std::vector<std::uint32_t> out;
    if (!ok()) return out;
    pids_->list(pid_buf_);
    out.reserve(pid_buf_.size());
    for (int pid : pid_buf_) {
        if (!read_file_at(root_.fd(), path(pid, "status"), buf_)) continue;  // exited
        if (auto uid = parse_status_uid(buf_)) out.push_back(*uid);
    }
    return out;
}

}  // namespace telehub::agent
