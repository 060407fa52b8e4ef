// Every parser of the agent's /proc text, one per selector byte (the first
// input byte picks the parser, the rest is the file's text): /proc/stat,
// loadavg, meminfo, PID/stat, PID/status, PID/cmdline, PID/cgroup (and the
// container found in its paths), mountinfo, cgroup value files,
// net/snmp and net/sockstat. Beyond not crashing, each checks what its
// caller relies on: values point into the text, counts are bounded by it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/collect/containers/cgroup_parse.hpp"
#include "agent/collect/host/cpu_parse.hpp"
#include "agent/collect/host/net_counters.hpp"
#include "agent/collect/processes/process_parse.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace ag = telehub::agent;

namespace {

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// Well-formed UTF-8 (structure only: lead bytes and their continuation bytes).
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (n == 9 || i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

void proc_stat(std::string_view text) {
    auto s = ag::parse_proc_stat(text);
    if (!s) return;
    FUZZ_CHECK(!text.empty() && text.back() == '\n');
    // Every core is a line of its own: at most one per newline.
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    FUZZ_CHECK(s->cores.size() < lines);
    for (const auto& core : s->cores) FUZZ_CHECK(core.id >= 0);
}

void meminfo(std::string_view text) {
    if (auto m = ag::parse_meminfo(text)) FUZZ_CHECK(!text.empty() && text.back() == '\n');
    (void)ag::parse_loadavg(text);
}

void pid_stat(std::string_view text) {
    auto s = ag::parse_pid_stat(text);
    if (!s) return;
    FUZZ_CHECK(inside(s->comm, text));
    FUZZ_CHECK(s->comm.find('\n') == std::string_view::npos || text.find('\n') != std::string_view::npos);
    (void)ag::process_status_name(s->state);
}

void pid_status(std::string_view text) {
    auto uid = ag::parse_status_uid(text);
    auto ids = ag::parse_status_ids(text);
    // Both read the same "Uid:" line.
    if (ids) FUZZ_CHECK(uid && *uid == ids->uids.real);
}

void cmdline(std::string_view text) {
    auto args = ag::split_cmdline(text);
    std::size_t bytes = 0;
    for (const auto& a : args) {
        FUZZ_CHECK(a.find('\0') == std::string::npos);
        bytes += a.size();
    }
    FUZZ_CHECK(bytes <= text.size());
    FUZZ_CHECK(args.size() <= text.size());
    std::string shown = ag::format_cmdline(text);
    FUZZ_CHECK(shown.size() <= ag::kCmdlineMax);
    FUZZ_CHECK(shown.find('\0') == std::string::npos);
    // Never cut inside a UTF-8 sequence: valid text stays valid.
    if (valid_utf8(text)) FUZZ_CHECK(valid_utf8(shown));
}

void check_ref(const std::optional<ag::ContainerRef>& ref, std::string_view path) {
    if (!ref) return;
    FUZZ_CHECK(!ref->runtime.empty() && !ref->id.empty());
    FUZZ_CHECK(ref->end <= path.size());
}

void pid_cgroup(std::string_view text) {
    auto c = ag::parse_proc_cgroup(text);
    if (!c) return;
    for (const std::string* p : {&c->v2, &c->systemd, &c->cpuacct, &c->memory, &c->other}) {
        FUZZ_CHECK(p->size() <= text.size());
        check_ref(ag::container_in_path(*p), *p);
    }
    (void)ag::container_of(*c);
}

void cgroup_path(std::string_view text) { check_ref(ag::container_in_path(text), text); }

void mountinfo(std::string_view text) {
    auto m = ag::parse_cgroup_mounts(text);
    FUZZ_CHECK(m.v2.size() <= text.size() && m.cpuacct.size() <= text.size() && m.memory.size() <= text.size());
}

void cgroup_values(std::string_view text) {
    (void)ag::parse_cpu_stat_usage_usec(text);
    (void)ag::parse_cgroup_value(text);
}

// The text split at the first NUL into the two files the parser takes.
std::pair<std::string_view, std::string_view> two_files(std::string_view text) {
    auto nul = text.find('\0');
    if (nul == std::string_view::npos) return {text, {}};
    return {text.substr(0, nul), text.substr(nul + 1)};
}

void snmp(std::string_view text) {
    auto [v4, v6] = two_files(text);
    (void)ag::parse_snmp(v4, v6);
}

void sockstat(std::string_view text) {
    auto [v4, v6] = two_files(text);
    (void)ag::parse_sockstat(v4, v6);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // A copy of the exact size, so that ASan sees any read past the text.
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 11) {
    case 0: proc_stat(text); break;
    case 1: meminfo(text); break;
    case 2: pid_stat(text); break;
    case 3: pid_status(text); break;
    case 4: cmdline(text); break;
    case 5: pid_cgroup(text); break;
    case 6: cgroup_path(text); break;
    case 7: mountinfo(text); break;
    case 8: cgroup_values(text); break;
    case 9: snmp(text); break;
    case 10: sockstat(text); break;
    }
    return 0;
}
