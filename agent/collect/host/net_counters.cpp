#include "agent/collect/host/net_counters.hpp"

#include <charconv>
#include <vector>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {
namespace {

// snmp rows come in pairs: "Tcp: Name1 Name2 ..." then "Tcp: v1 v2 ...".
// Calls f(name, value) for every column of the pair with the given prefix.
template <class F>
bool for_each_snmp_pair(std::string_view text, std::string_view prefix, F&& f) {
    while (!text.empty()) {
        auto names = next_line(text);
        if (names.substr(0, prefix.size()) != prefix) continue;
        auto values = next_line(text);
        if (values.substr(0, prefix.size()) != prefix) return false;
        names.remove_prefix(prefix.size());
        values.remove_prefix(prefix.size());
        for (;;) {
            auto n = next_word(names);
            auto v = next_word(values);
            if (n.empty() || v.empty()) return n.empty() && v.empty();
            std::uint64_t value = 0;
            // MaxConn is -1: not a counter we use, so a failed parse is skipped.
            if (to_u64(v, value)) f(n, value);
        }
    }
    return false;
}

// "Name value" per line, as in snmp6.
template <class F>
void for_each_name_value(std::string_view text, F&& f) {
    while (!text.empty()) {
        auto line = next_line(text);
        auto n = next_word(line);
        auto v = next_word(line);
        std::uint64_t value = 0;
        if (!n.empty() && to_u64(v, value)) f(n, value);
    }
}

// "TCP: inuse 3 orphan 0 tw 109 ..." -> f("inuse", 3) ... for the row `prefix`.
template <class F>
bool for_each_sockstat_field(std::string_view text, std::string_view prefix, F&& f) {
    while (!text.empty()) {
        auto line = next_line(text);
        if (line.substr(0, prefix.size()) != prefix) continue;
        line.remove_prefix(prefix.size());
        for (;;) {
            auto n = next_word(line);
            auto v = next_word(line);
            if (n.empty()) return true;
            std::uint64_t value = 0;
            if (!to_u64(v, value)) return false;
            f(n, value);
        }
    }
    return false;
}

std::uint32_t narrow(std::uint64_t v) { return v > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(v); }

}  // namespace

std::optional<NetCounters> parse_snmp(std::string_view snmp, std::string_view snmp6) {
    NetCounters c;
    bool tcp = for_each_snmp_pair(snmp, "Tcp:", [&](std::string_view n, std::uint64_t v) {
        if (n == "ActiveOpens") c.tcp_active_opens = v;
        else if (n == "PassiveOpens") c.tcp_passive_opens = v;
        else if (n == "AttemptFails") c.tcp_attempt_fails = v;
        else if (n == "EstabResets") c.tcp_estab_resets = v;
        else if (n == "OutRsts") c.tcp_out_rsts = v;
    });
    bool udp = for_each_snmp_pair(snmp, "Udp:", [&](std::string_view n, std::uint64_t v) {
        if (n == "InDatagrams") c.udp_in_datagrams = v;
        else if (n == "OutDatagrams") c.udp_out_datagrams = v;
    });
    if (!tcp || !udp) return std::nullopt;
    for_each_name_value(snmp6, [&](std::string_view n, std::uint64_t v) {
        if (n == "Udp6InDatagrams") c.udp_in_datagrams += v;
        else if (n == "Udp6OutDatagrams") c.udp_out_datagrams += v;
    });
    return c;
}

std::optional<SockStat> parse_sockstat(std::string_view v4, std::string_view v6) {
    SockStat s;
    bool used = for_each_sockstat_field(v4, "sockets:", [&](std::string_view n, std::uint64_t v) {
        if (n == "used") s.sockets_used = narrow(v);
    });
    bool tcp = for_each_sockstat_field(v4, "TCP:", [&](std::string_view n, std::uint64_t v) {
        if (n == "inuse") s.tcp_inuse = narrow(v);
        else if (n == "orphan") s.tcp_orphan = narrow(v);
        else if (n == "tw") s.tcp_tw = narrow(v);
    });
    if (!used || !tcp) return std::nullopt;
    for_each_sockstat_field(v4, "UDP:", [&](std::string_view n, std::uint64_t v) {
        if (n == "inuse") s.udp_inuse = narrow(v);
    });
    for_each_sockstat_field(v4, "RAW:", [&](std::string_view n, std::uint64_t v) {
        if (n == "inuse") s.raw_inuse = narrow(v);
    });
    for_each_sockstat_field(v6, "TCP6:", [&](std::string_view n, std::uint64_t v) {
        if (n == "inuse") s.tcp_inuse += narrow(v);
    });
    for_each_sockstat_field(v6, "UDP6:", [&](std::string_view n, std::uint64_t v) {
        if (n == "inuse") s.udp_inuse += narrow(v);
    });
    for_each_sockstat_field(v6, "RAW6:", [&](std::string_view n, std::uint64_t v) {
        if (n == "inuse") s.raw_inuse += narrow(v);
    });
    return s;
}

NetCountersCollector::NetCountersCollector(std::string proc_root) : net_(proc_root + "/net") {}

bool NetCountersCollector::collect(NetCountersDelta& out) {
    if (!net_.ok() || !read_file_at(net_.fd(), "snmp", snmp_) || !read_file_at(net_.fd(), "sockstat", sockstat_))
        return false;
    read_file_at(net_.fd(), "snmp6", snmp6_);  // absent without IPv6
    read_file_at(net_.fd(), "sockstat6", sockstat6_);
    auto counters = parse_snmp(snmp_, snmp6_);
    auto gauges = parse_sockstat(sockstat_, sockstat6_);
    if (!counters || !gauges) return false;
    out.now = *gauges;
    bool primed = prev_.has_value();
    if (primed) {
        // A counter that went backwards (namespace change, wrap) counts as 0, not as a huge delta.
        auto d = [](std::uint64_t now, std::uint64_t before) { return now >= before ? now - before : 0; };
        const NetCounters& p = *prev_;
        const NetCounters& c = *counters;
        out.per_interval = {d(c.tcp_active_opens, p.tcp_active_opens),   d(c.tcp_passive_opens, p.tcp_passive_opens),
                            d(c.tcp_attempt_fails, p.tcp_attempt_fails), d(c.tcp_estab_resets, p.tcp_estab_resets),
                            d(c.tcp_out_rsts, p.tcp_out_rsts),           d(c.udp_in_datagrams, p.udp_in_datagrams),
                            d(c.udp_out_datagrams, p.udp_out_datagrams)};
    }
    prev_ = counters;
    return primed;
}

}  // namespace telehub::agent
