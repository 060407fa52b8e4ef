#include "agent/collect/host/host_info.hpp"

#include <charconv>
#include <string_view>

#include <sys/utsname.h>
#include <unistd.h>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {
namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
}

std::string hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

std::int64_t boot_time(const std::string& proc_root) {
    std::string buf;
    if (!read_file(proc_root + "/stat", buf)) return 0;
    std::string_view text(buf);
    auto pos = text.find("\nbtime ");
    if (pos == std::string_view::npos) return 0;
    text.remove_prefix(pos + 7);
    std::int64_t v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
}

}  // namespace

std::string default_host_id() {
    std::string id;
    if (read_file("/etc/machine-id", id)) {
        id = trimmed(std::move(id));
        if (!id.empty()) return id;
    }
    return hostname();
}

Hello describe_host(const std::string& proc_root) {
    Hello h;
    h.hostname = hostname();
    utsname u{};
    if (::uname(&u) == 0) h.kernel = u.release;
    long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    h.cores = cores > 0 ? static_cast<std::uint32_t>(cores) : 1;
    h.boot_time = boot_time(proc_root);
    return h;
}

}  // namespace telehub::agent
