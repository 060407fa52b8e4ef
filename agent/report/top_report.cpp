#include "agent/report/top_report.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <stdexcept>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/processes/processes.hpp"

namespace telehub::agent {

std::vector<TopTicksRow> read_top_ticks(const std::string& proc_root, std::size_t n) {
    DirFd root(proc_root);
    if (!root.ok()) throw std::runtime_error("cannot open proc root '" + proc_root + "': " + std::strerror(errno));
    ProcessPids lister(root.fd());
    if (!lister.ok()) throw std::runtime_error("cannot list proc root '" + proc_root + "': " + std::strerror(errno));

    std::vector<int> pids;
    lister.list(pids);
    std::vector<TopTicksRow> rows;
    rows.reserve(pids.size());
    std::string buf;
    for (int pid : pids) {
        std::string path = std::to_string(pid) + "/stat";
        if (!read_file_at(root.fd(), path.c_str(), buf)) continue;
        auto st = parse_pid_stat(buf);
        if (!st || st->pid != pid) continue;
        rows.push_back(TopTicksRow{std::string(st->comm), pid, st->utime, st->stime});
    }
    rank_top_ticks(rows, n);
    return rows;
}

void rank_top_ticks(std::vector<TopTicksRow>& rows, std::size_t n) {
    std::sort(rows.begin(), rows.end(), [](const TopTicksRow& a, const TopTicksRow& b) {
        std::uint64_t ta = a.utime + a.stime, tb = b.utime + b.stime;
        if (ta != tb) return ta > tb;
        return a.pid < b.pid;
    });
    if (n != 0 && rows.size() > n) rows.resize(n);
}

namespace {

// CSV per RFC 4180, except for "\n" line ends (what Unix tools expect):
// strings are always quoted, with embedded quotes doubled, because comm is
// chosen by the process and may hold commas, quotes or newlines; numbers are
// bare so spreadsheets read them as numbers.
void write_csv_string(std::ostream& os, const std::string& s) {
    os << '"';
    for (char c : s) {
        if (c == '"') os << '"';
        os << c;
    }
    os << '"';
}

// In the table a control character in a name would break the layout or
// drive the terminal, so it shows as '?'.
std::string printable(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return out;
}

}  // namespace

void write_top_ticks(std::ostream& os, const std::vector<TopTicksRow>& rows, bool csv) {
    if (csv) {
        os << "\"name\",\"pid\",\"utime\",\"stime\"\n";
        for (const auto& r : rows) {
            write_csv_string(os, r.name);
            os << ',' << r.pid << ',' << r.utime << ',' << r.stime << '\n';
        }
        return;
    }
    std::size_t width = 4;  // "NAME"
    for (const auto& r : rows) width = std::max(width, r.name.size());
    auto pad = [&os](const std::string& s, std::size_t w) {
        os << s;
        for (std::size_t i = s.size(); i < w; ++i) os << ' ';
    };
    auto right = [&os](const std::string& s, std::size_t w) {
        for (std::size_t i = s.size(); i < w; ++i) os << ' ';
        os << s;
    };
    pad("NAME", width);
    os << ' ';
    right("PID", 8);
    os << ' ';
    right("UTIME", 12);
    os << ' ';
    right("STIME", 12);
    os << '\n';
    for (const auto& r : rows) {
        pad(printable(r.name), width);
        os << ' ';
        right(std::to_string(r.pid), 8);
        os << ' ';
        right(std::to_string(r.utime), 12);
        os << ' ';
        right(std::to_string(r.stime), 12);
        os << '\n';
    }
}

}  // namespace telehub::agent
