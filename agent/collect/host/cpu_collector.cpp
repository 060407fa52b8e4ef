#include "agent/collect/host/cpu_collector.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace telehub::agent {

namespace {

// Counters can go backwards (iowait is documented as unreliable and does on
// NO_HZ kernels; a core that went offline and came back restarts its
// counters): a field that shrank contributes nothing rather than a huge
// unsigned wrap.
std::uint64_t dsub(std::uint64_t now, std::uint64_t before) { return now >= before ? now - before : 0; }

struct CpuDelta {
    std::uint64_t user = 0;    // user + nice (guest is inside both already)
    std::uint64_t system = 0;  // system + irq + softirq
    std::uint64_t idle = 0;
    std::uint64_t iowait = 0;
    std::uint64_t steal = 0;
    std::uint64_t total() const { return user + system + idle + iowait + steal; }
    std::uint64_t busy() const { return user + system + steal; }  // iowait is idle time
};

CpuDelta delta(const CpuTimes& now, const CpuTimes& before) {
    CpuDelta d;
    d.user = dsub(now.user, before.user) + dsub(now.nice, before.nice);
    d.system = dsub(now.system, before.system) + dsub(now.irq, before.irq) + dsub(now.softirq, before.softirq);
    d.idle = dsub(now.idle, before.idle);
    d.iowait = dsub(now.iowait, before.iowait);
    d.steal = dsub(now.steal, before.steal);
    return d;
}

double pct(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

void zero_cpu(telehub::CpuStats& cpu, std::size_t cores) {
    cpu.total = cpu.user = cpu.system = cpu.iowait = cpu.steal = 0;
    cpu.per_core.assign(cores, 0.0);
}

}  // namespace

CpuCollector::CpuCollector(std::string proc_root) : proc_root_(std::move(proc_root)), root_(proc_root_) {
    if (!root_.ok())
        throw std::runtime_error("cannot open proc root '" + proc_root_ + "': " + std::strerror(errno));
}

bool CpuCollector::read_stat() {
    if (!read_file_at(root_.fd(), "stat", buf_)) {
        error_ = "cannot read " + proc_root_ + "/stat";
        return false;
    }
    if (!parse_proc_stat(buf_, cur_)) {
        error_ = proc_root_ + "/stat has no valid cpu lines";
        return false;
    }
    return true;
}

bool CpuCollector::collect(telehub::Sample& sample) {
    read_load_and_mem(sample);
    error_.clear();
    // Parse into cur_ only after keeping the last good reading in prev_, so a
    // failed read never becomes the baseline of the next delta.
    std::swap(prev_, cur_);
    if (!read_stat()) {
        std::swap(prev_, cur_);
        total_delta_ = 0;
        zero_cpu(sample.cpu, primed_ ? cur_.cores.size() : 0);
        return false;
    }
    sample.procs.running = cur_.procs_running;
    if (!primed_) {
        primed_ = true;
        total_delta_ = 0;
        zero_cpu(sample.cpu, cur_.cores.size());
        return false;
    }
    fill_cpu(sample.cpu);
    return true;
}

void CpuCollector::fill_cpu(telehub::CpuStats& cpu) {
    CpuDelta d = delta(cur_.all, prev_.all);
    std::uint64_t whole = d.total();
    total_delta_ = whole;
    cpu.total = pct(d.busy(), whole);
    cpu.user = pct(d.user, whole);
    cpu.system = pct(d.system, whole);
    cpu.iowait = pct(d.iowait, whole);
    cpu.steal = pct(d.steal, whole);

    // One entry per core online now, in id order. Both lists ascend by id,
    // so a merge walk pairs them; a core with no previous line (just came
    // online) has no delta yet and reports 0 for this one reading.
    cpu.per_core.resize(cur_.cores.size());
    std::size_t j = 0;
    for (std::size_t i = 0; i < cur_.cores.size(); ++i) {
        const CoreTimes& now = cur_.cores[i];
        while (j < prev_.cores.size() && prev_.cores[j].id < now.id) ++j;
        if (j < prev_.cores.size() && prev_.cores[j].id == now.id) {
            CpuDelta c = delta(now.times, prev_.cores[j].times);
            cpu.per_core[i] = pct(c.busy(), c.total());
        } else {
            cpu.per_core[i] = 0.0;
        }
    }
}

void CpuCollector::read_load_and_mem(telehub::Sample& sample) {
    if (read_file_at(root_.fd(), "loadavg", buf_)) {
        if (auto load = parse_loadavg(buf_)) sample.load = *load;
    }
    if (read_file_at(root_.fd(), "meminfo", buf_)) {
        if (auto mem = parse_meminfo(buf_)) {
            sample.mem.total = mem->total;
            sample.mem.available = mem->available;
        }
    }
}

}  // namespace telehub::agent
