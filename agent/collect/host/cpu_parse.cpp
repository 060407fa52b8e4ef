#include "agent/collect/host/cpu_parse.hpp"

#include <charconv>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {

namespace {

bool parse_cpu_fields(std::string_view rest, CpuTimes& t) {
    std::uint64_t* fields[] = {&t.user, &t.nice,    &t.system, &t.idle,  &t.iowait,
                               &t.irq,  &t.softirq, &t.steal,  &t.guest, &t.guest_nice};
    t = CpuTimes{};
    int n = 0;
    for (auto* f : fields) {
        if (!take_u64(rest, *f)) break;
        ++n;
    }
    skip_blanks(rest);
    return n >= 4 && rest.empty();
}

}  // namespace

bool parse_proc_stat(std::string_view text, ProcStat& out) {
    out.cores.clear();
    out.procs_running = 0;
    // The kernel ends every line with '\n'; without one the read was cut.
    if (text.empty() || text.back() != '\n') return false;
    bool have_all = false;
    bool have_running = false;
    while (!text.empty()) {
        std::string_view line = next_line(text);
        if (line.starts_with("cpu")) {
            std::string_view rest = line.substr(3);
            if (!rest.empty() && rest.front() == ' ') {
                if (!parse_cpu_fields(rest, out.all)) return false;
                have_all = true;
                continue;
            }
            int id = 0;
            auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
            if (ec != std::errc{} || id < 0) return false;
            rest.remove_prefix(static_cast<std::size_t>(p - rest.data()));
            CoreTimes core;
            core.id = id;
            if (!parse_cpu_fields(rest, core.times)) return false;
            out.cores.push_back(core);
        } else if (line.starts_with("procs_running ")) {
            std::string_view rest = line.substr(14);
            std::uint64_t v = 0;
            if (!take_u64(rest, v)) return false;
            out.procs_running = static_cast<std::uint32_t>(v);
            have_running = true;
        }
    }
    return have_all && have_running;
}

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
    ProcStat out;
    if (!parse_proc_stat(text, out)) return std::nullopt;
    return out;
}

std::optional<std::array<double, 3>> parse_loadavg(std::string_view text) {
    std::array<double, 3> load{};
    for (double& v : load) {
        skip_blanks(text);
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || v < 0) return std::nullopt;
        text.remove_prefix(static_cast<std::size_t>(p - text.data()));
        // A number cut off by a truncated read is not a load average.
        if (text.empty() || (text.front() != ' ' && text.front() != '\t')) return std::nullopt;
    }
    return load;
}

std::optional<MemInfo> parse_meminfo(std::string_view text) {
    if (text.empty() || text.back() != '\n') return std::nullopt;  // cut read
    std::optional<std::uint64_t> total, available, free, buffers, cached;
    while (!text.empty()) {
        std::string_view line = next_line(text);
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view key = line.substr(0, colon);
        std::optional<std::uint64_t>* slot = nullptr;
        if (key == "MemTotal") slot = &total;
        else if (key == "MemAvailable") slot = &available;
        else if (key == "MemFree") slot = &free;
        else if (key == "Buffers") slot = &buffers;
        else if (key == "Cached") slot = &cached;
        if (slot == nullptr) continue;
        std::string_view rest = line.substr(colon + 1);
        std::uint64_t kb = 0;
        if (!take_u64(rest, kb)) return std::nullopt;
        skip_blanks(rest);
        if (rest != "kB") return std::nullopt;
        *slot = kb * 1024;
    }
    if (!total) return std::nullopt;
    MemInfo m;
    m.total = *total;
    if (available) m.available = *available;
    else m.available = free.value_or(0) + buffers.value_or(0) + cached.value_or(0);
    return m;
}

}  // namespace telehub::agent
