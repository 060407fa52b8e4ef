#include "loadgen/proc_probe.hpp"

#include <charconv>
#include <cstdio>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace telehub::loadgen {
namespace {

std::string_view next_field(std::string_view& rest) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    auto end = rest.find_first_of(" \n");
    auto f = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    return f;
}

template <class T>
std::optional<T> to_number(std::string_view s, int base = 10) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<std::uint64_t> parse_cpu_ticks(std::string_view stat) {
    auto paren = stat.rfind(')');
    if (paren == std::string_view::npos) return std::nullopt;
    auto rest = stat.substr(paren + 1);
    // After comm: field 3 (state) ... field 15 (stime).
    std::optional<std::uint64_t> utime, stime;
    for (int field = 3; field <= 15; ++field) {
        auto f = next_field(rest);
        if (f.empty()) return std::nullopt;
        if (field == 14) utime = to_number<std::uint64_t>(f);
        if (field == 15) stime = to_number<std::uint64_t>(f);
    }
    if (!utime || !stime) return std::nullopt;
    return *utime + *stime;
}

std::optional<std::uint64_t> parse_vm_rss_kb(std::string_view status) {
    auto at = status.find("\nVmRSS:");
    if (at == std::string_view::npos) return std::nullopt;
    auto rest = status.substr(at + 7);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    auto end = rest.find(' ');
    return to_number<std::uint64_t>(rest.substr(0, end));
}

std::optional<std::uint64_t> parse_write_bytes(std::string_view io) {
    auto at = io.find("\nwrite_bytes:");
    if (at == std::string_view::npos) return std::nullopt;
    auto rest = io.substr(at + 13);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return to_number<std::uint64_t>(rest.substr(0, rest.find('\n')));
}

std::optional<std::uint64_t> parse_listen_inode(std::string_view text, std::uint16_t port) {
    // "  sl  local_address rem_address   st tx_queue:rx_queue tr tm->when retrnsmt   uid  timeout inode"
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    text.remove_prefix(nl + 1);
    while (!text.empty()) {
        nl = text.find('\n');
        auto line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        auto rest = line;
        next_field(rest);  // sl
        auto local = next_field(rest);
        next_field(rest);  // remote
        auto state = next_field(rest);
        if (state != "0A") continue;  // LISTEN
        auto colon = local.find(':');
        if (colon == std::string_view::npos) continue;
        auto p = to_number<unsigned>(local.substr(colon + 1), 16);
        if (!p || *p != port) continue;
        for (int skip = 0; skip < 5; ++skip) next_field(rest);  // tx:rx tr:when retrnsmt uid timeout
        return to_number<std::uint64_t>(next_field(rest));
    }
    return std::nullopt;
}

ProcProbe::ProcProbe(std::string proc_root) : root_(std::move(proc_root)) {}

double ProcProbe::ticks_per_second() {
    long t = ::sysconf(_SC_CLK_TCK);
    return t > 0 ? double(t) : 100.0;
}

std::optional<std::string> ProcProbe::read(const std::string& rel) const {
    int fd = ::open((root_ + "/" + rel).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, std::size_t(n));
    }
    ::close(fd);
    return out;
}

std::optional<std::uint64_t> ProcProbe::cpu_ticks(pid_t pid) const {
    auto t = read(std::to_string(pid) + "/stat");
    return t ? parse_cpu_ticks(*t) : std::nullopt;
}

std::optional<std::uint64_t> ProcProbe::rss_kb(pid_t pid) const {
    auto t = read(std::to_string(pid) + "/status");
    return t ? parse_vm_rss_kb(*t) : std::nullopt;
}

std::optional<std::uint64_t> ProcProbe::write_bytes(pid_t pid) const {
    auto t = read(std::to_string(pid) + "/io");
    return t ? parse_write_bytes(*t) : std::nullopt;
}

std::optional<pid_t> ProcProbe::listener_pid(std::uint16_t port) const {
    std::optional<std::uint64_t> inode;
    for (const char* table : {"net/tcp", "net/tcp6"}) {
        if (auto t = read(table)) inode = parse_listen_inode(*t, port);
        if (inode) break;
    }
    if (!inode) return std::nullopt;
    const std::string want = "socket:[" + std::to_string(*inode) + "]";
    DIR* procs = ::opendir(root_.c_str());
    if (!procs) return std::nullopt;
    std::optional<pid_t> found;
    while (auto* e = ::readdir(procs)) {
        auto pid = to_number<pid_t>(e->d_name);
        if (!pid) continue;
        std::string fd_dir = root_ + "/" + e->d_name + "/fd";
        DIR* fds = ::opendir(fd_dir.c_str());
        if (!fds) continue;  // gone, or another user's
        while (auto* f = ::readdir(fds)) {
            char link[64];
            ssize_t n = ::readlinkat(::dirfd(fds), f->d_name, link, sizeof link);
            if (n > 0 && std::string_view(link, std::size_t(n)) == want) {
                found = *pid;
                break;
            }
        }
        ::closedir(fds);
        if (found) break;
    }
    ::closedir(procs);
    return found;
}

}  // namespace telehub::loadgen
