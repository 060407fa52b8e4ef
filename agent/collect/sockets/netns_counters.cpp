#include "agent/collect/sockets/netns_counters.hpp"

#include <cstdio>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {
namespace {

bool kept_key(std::string_view key) { return key == "used" || key == "inuse" || key == "tw"; }

std::string_view next_token(std::string_view& line) {
    std::size_t start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) {
        line = {};
        return {};
    }
    line.remove_prefix(start);
    std::size_t end = line.find(' ');
    std::string_view token = line.substr(0, end);
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
    return token;
}

}  // namespace

void append_sockstat_counts(std::string_view sockstat, std::string& out) {
    while (!sockstat.empty()) {
        std::size_t eol = sockstat.find('\n');
        std::string_view line = sockstat.substr(0, eol);
        sockstat.remove_prefix(eol == std::string_view::npos ? sockstat.size() : eol + 1);
        std::string_view label = next_token(line);
        if (label.empty()) continue;
        out.append(label);
        // "key value" pairs follow the label
        for (std::string_view key = next_token(line); !key.empty(); key = next_token(line)) {
            std::string_view value = next_token(line);
            if (!kept_key(key)) continue;
            out.push_back(' ');
            out.append(key);
            out.push_back(' ');
            out.append(value);
        }
        out.push_back('\n');
    }
}

bool read_netns_counters(int proc_dirfd, int pid, std::string& out, std::string& scratch) {
    char path[48];
    std::snprintf(path, sizeof path, "%d/net/snmp", pid);
    if (!read_file_at(proc_dirfd, path, out)) return false;
    std::snprintf(path, sizeof path, "%d/net/sockstat", pid);
    if (!read_file_at(proc_dirfd, path, scratch)) return false;
    append_sockstat_counts(scratch, out);
    std::snprintf(path, sizeof path, "%d/net/sockstat6", pid);
    // without IPv6 in the kernel there is no sockstat6, and nothing to count in it
    if (read_file_at(proc_dirfd, path, scratch)) append_sockstat_counts(scratch, out);
    return true;
}

}  // namespace telehub::agent
