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

namespace {

// "12.34" (the kernel's "%lu.%02lu") off the front of `text`. Not
// std::from_chars: its double overload is the one thing that would make the
// agent load libm (fesetround), half a megabyte of RSS. Digits as one integer
// over a power of ten, one correctly rounded division: the double nearest
// the text, as strtod gives.
bool parse_fixed_point(std::string_view& text, double& out) {
    std::uint64_t mantissa = 0;
    std::size_t digits = 0, decimals = 0, i = 0;
    bool point = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9') break;
        if (++digits > 15) return false;  // beyond any load average; up to here the integer is exact in a double
        mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
        if (point) ++decimals;
    }
    if (digits == 0 || (point && decimals == 0)) return false;
    double scale = 1;
    for (std::size_t d = 0; d < decimals; ++d) scale *= 10;
    out = static_cast<double>(mantissa) / scale;
    text.remove_prefix(i);
    return true;
}

}  // namespace

std::optional<std::array<double, 3>> parse_loadavg(std::string_view text) {
    std::array<double, 3> load{};
    for (double& v : load) {
        skip_blanks(text);
        if (!parse_fixed_point(text, v)) return std::nullopt;
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
