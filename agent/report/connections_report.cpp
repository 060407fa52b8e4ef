#include "agent/report/connections_report.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <tuple>

#include "telehub/tcp_state.hpp"

namespace telehub::agent {
namespace {

struct Pick {
    int pid;
    std::size_t pos;
};

auto address_key(const SocketAddress& a) { return std::tie(a.v6, a.ip, a.port); }

std::string pid_text(int pid) { return pid < 0 ? "-" : std::to_string(pid); }

}  // namespace

std::vector<ConnectionRow> connection_rows(const SocketTable& table,
                                           const std::function<int(std::size_t)>& owner_at,
                                           const ContainerOf& container_of) {
    std::vector<Pick> picks;
    std::map<int, std::size_t> per_pid;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const SocketEntry& e = table[i];
        if (e.family != SocketFamily::tcp && e.family != SocketFamily::udp) continue;
        if (table.endpoints(i).remote.ip_is_zero()) continue;
        int pid = owner_at(i);
        if (pid < 0) pid = -1;
        picks.push_back({pid, i});
        ++per_pid[pid];
    }
    std::sort(picks.begin(), picks.end(), [&](const Pick& a, const Pick& b) {
        if (a.pid != b.pid) {
            if ((a.pid < 0) != (b.pid < 0)) return b.pid < 0;  // ownerless last
            std::size_t na = per_pid[a.pid], nb = per_pid[b.pid];
            if (na != nb) return na > nb;
            return a.pid < b.pid;
        }
        const SocketEndpoints& x = table.endpoints(a.pos);
        const SocketEndpoints& y = table.endpoints(b.pos);
        return std::tuple(address_key(x.local), address_key(x.remote)) <
               std::tuple(address_key(y.local), address_key(y.remote));
    });

    std::vector<ConnectionRow> rows;
    rows.reserve(picks.size());
    for (const Pick& p : picks) {
        const SocketEntry& e = table[p.pos];
        ConnectionRow r;
        r.pid = p.pid;
        r.laddr = address_text(table.endpoints(p.pos).local);
        r.raddr = address_text(table.endpoints(p.pos).remote);
        r.status = e.family == SocketFamily::udp ? "NONE" : std::string(tcp_state_name(e.state));
        if (r.status.empty()) r.status = "UNKNOWN";
        if (container_of && p.pid >= 0) r.container = container_of(p.pid);
        rows.push_back(std::move(r));
    }
    return rows;
}

void write_connections_csv(std::span<const ConnectionRow> rows, std::ostream& out) {
    // No field can hold a quote (digits, addresses, state names), so quoting needs no escaping.
    out << "\"pid\",\"laddr\",\"raddr\",\"status\"\n";
    for (const ConnectionRow& r : rows)
        out << '"' << pid_text(r.pid) << "\",\"" << r.laddr << "\",\"" << r.raddr << "\",\"" << r.status << "\"\n";
}

void write_connections_table(std::span<const ConnectionRow> rows, std::ostream& out) {
    std::size_t wp = 3, wc = 9, wl = 5, wr = 5;
    auto container_text = [](const ConnectionRow& r) { return r.container.empty() ? std::string("-") : r.container; };
    for (const ConnectionRow& r : rows) {
        wp = std::max(wp, pid_text(r.pid).size());
        wc = std::max(wc, container_text(r).size());
        wl = std::max(wl, r.laddr.size());
        wr = std::max(wr, r.raddr.size());
    }
    auto line = [&](const std::string& pid, const std::string& c, const std::string& l, const std::string& r,
                    const std::string& s) {
        out << std::right << std::setw(static_cast<int>(wp)) << pid << "  " << std::left << std::setw(static_cast<int>(wc))
            << c << "  " << std::setw(static_cast<int>(wl)) << l << "  " << std::setw(static_cast<int>(wr)) << r << "  "
            << s << '\n';
    };
    line("PID", "CONTAINER", "LADDR", "RADDR", "STATUS");
    for (const ConnectionRow& r : rows) line(pid_text(r.pid), container_text(r), r.laddr, r.raddr, r.status);
}

}  // namespace telehub::agent
