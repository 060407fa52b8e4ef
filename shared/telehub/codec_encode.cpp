#include "telehub/codec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub {
namespace {

// Keys go out in the order they are written, which is the order the hub's
// decoder reads them in: each field is then found with one key comparison
// (alphabetical order made it scan half of every object).
using json = nlohmann::ordered_json;

// One decimal is all a percentage needs on screen and keeps frames short.
// std::round's result (halves away from zero) without calling libm, which the
// agent then does not load at all (half a megabyte of its RSS): x - trunc(x)
// is exact below 2^52. A value from 2^48 up is left as it is: it has no
// decimal worth rounding, and ten times it could overflow to infinity, which
// JSON cannot carry (found by the agent_frame fuzz target: 0.51e308).
double round1(double v) {
    if (!std::isfinite(v)) return 0.0;
    if (!(std::fabs(v) < 0x1p48)) return v;
    const double x = v * 10.0;
    auto n = static_cast<std::int64_t>(x);
    const double frac = x - static_cast<double>(n);
    if (frac >= 0.5) ++n;
    else if (frac <= -0.5) --n;
    return static_cast<double>(n) / 10.0;
}

// Host-level counts list every state, so a reader never has to guess whether
// a missing state means zero; per-process counts list only states in use.
json tcp_states(const TcpStateCounts& counts, bool include_zero) {
    json out = json::object();
    for (int st = 1; st < tcp_state_count; ++st) {
        auto n = counts[static_cast<std::size_t>(st)];
        if (n != 0 || include_zero) out[std::string(tcp_state_name(st))] = n;
    }
    return out;
}

json encode_top(const TopProcess& p) {
    return json{{"pid", p.pid},
                {"ppid", p.ppid},
                {"name", p.name},
                {"cmdline", p.cmdline},
                {"user", p.user},
                {"state", std::string(1, p.state)},
                {"cpu", round1(p.cpu)},
                {"utime", p.utime},
                {"stime", p.stime},
                {"rss", p.rss},
                {"threads", p.threads},
                {"nice", p.nice},
                {"sockets", {{"tcp", p.sockets.tcp}, {"udp", p.sockets.udp}, {"unix", p.sockets.unix_}}}};
}

// Processes of the host carry no "container" key: most processes of most
// hosts are not in one, and absent reads as "the host".
void put_container(json& j, const std::string& container) {
    if (!container.empty()) j["container"] = container;
}

json encode_netns(const NetnsSockets& n) {
    json j{{"inode", n.inode}, {"host", n.host}, {"source", n.source}};
    if (!n.container.empty()) {
        j["container_id"] = n.container_id;
        j["container"] = n.container;
    }
    j["owner_pid"] = n.owner_pid;
    j["owner_name"] = n.owner_name;
    j["processes"] = n.processes;
    j["tcp"] = tcp_states(n.tcp, true);
    j["udp"] = n.udp;
    j["unix"] = n.unix_;
    return j;
}

json encode_container(const ContainerStats& c) {
    json j{{"id", c.id}, {"name", c.name}, {"runtime", c.runtime}};
    if (c.cpu_known) j["cpu"] = round1(c.cpu);
    else j["cpu"] = nullptr;
    // Left out, not 0, when unknown: 0 bytes would read as an idle container,
    // and a hub that predates this reads an absent field as 0 anyway.
    if (c.mem_known) {
        j["mem"] = c.mem;
        j["mem_limit"] = c.mem_limit;
    }
    j["procs"] = c.procs;
    j["sockets"] = c.sockets();
    j["tcp"] = tcp_states(c.tcp, false);
    j["udp"] = c.udp;
    j["unix"] = c.unix_;
    j["opened"] = c.opened;
    j["closed"] = c.closed;
    j["leaks"] = c.leaks;
    return j;
}

json family_counts(const FamilyCounts& f) {
    return json{{"tcp", f.tcp}, {"udp", f.udp}, {"unix", f.unix_}, {"other", f.other}};
}

json encode_churn(const HostChurn& c) {
    json j{{"exact", c.exact}, {"opened", c.opened}, {"closed", c.closed}};
    if (c.exact) {
        j["tcp_active_opens"] = c.tcp_active_opens;
        j["tcp_passive_opens"] = c.tcp_passive_opens;
        j["tcp_attempt_fails"] = c.tcp_attempt_fails;
        j["tcp_estab_resets"] = c.tcp_estab_resets;
        j["tcp_out_rsts"] = c.tcp_out_rsts;
        j["udp_in_datagrams"] = c.udp_in_datagrams;
        j["udp_out_datagrams"] = c.udp_out_datagrams;
        j["sockets_used"] = c.sockets_used;
        j["tcp_inuse"] = c.tcp_inuse;
        j["tcp_orphan"] = c.tcp_orphan;
        j["tcp_tw"] = c.tcp_tw;
        j["udp_inuse"] = c.udp_inuse;
    }
    return j;
}

json encode_sockets(const HostSockets& s) {
    json by_process = json::array();
    for (const auto& p : s.by_process) {
        json e{{"pid", p.pid},
               {"name", p.name},
               {"total", p.total},
               {"tcp", tcp_states(p.tcp, false)},
               {"udp", p.udp},
               {"unix", p.unix_}};
        put_container(e, p.container);
        by_process.push_back(std::move(e));
    }
    json churn_by_process = json::array();
    for (const auto& p : s.churn_by_process) {
        json e{{"pid", p.pid},
               {"name", p.name},
               {"opened", family_counts(p.opened)},
               {"closed", family_counts(p.closed)},
               {"opened_total", p.opened_total},
               {"closed_total", p.closed_total},
               {"open", family_counts(p.open)}};
        put_container(e, p.container);
        churn_by_process.push_back(std::move(e));
    }
    json netns = json::array();
    for (const auto& n : s.netns) netns.push_back(encode_netns(n));
    return json{{"tcp", tcp_states(s.tcp, true)},
                {"udp", s.udp},
                {"unix", s.unix_},
                {"raw", s.raw},
                {"unattributed", s.unattributed},
                {"source", s.source},
                {"by_process", std::move(by_process)},
                {"churn", encode_churn(s.churn)},
                {"churn_by_process", std::move(churn_by_process)},
                {"netns", std::move(netns)}};
}

// The sample's tree up to and including "sockets". The lists after it (leak
// suspects, containers) are written element by element by finish_frame: a
// host with hundreds of leak suspects would otherwise hold them all as a
// tree and as text at once, most of the agent's transient memory per tick.
json head_json(const Sample& s) {
    json per_core = json::array();
    for (double c : s.cpu.per_core) per_core.push_back(round1(c));
    json top = json::array();
    for (const auto& p : s.top) {
        top.push_back(encode_top(p));
        put_container(top.back(), p.container);
    }
    return json{{"type", "sample"},
                {"host_id", s.host_id},
                {"seq", s.seq},
                {"ts_ms", s.ts_ms},
                {"interval_ms", s.interval_ms},
                {"cpu",
                 {{"total", round1(s.cpu.total)},
                  {"user", round1(s.cpu.user)},
                  {"system", round1(s.cpu.system)},
                  {"iowait", round1(s.cpu.iowait)},
                  {"steal", round1(s.cpu.steal)},
                  {"per_core", std::move(per_core)}}},
                {"load", {s.load[0], s.load[1], s.load[2]}},
                {"mem", {{"total", s.mem.total}, {"available", s.mem.available}}},
                {"procs", {{"total", s.procs.total}, {"running", s.procs.running}}},
                {"top", std::move(top)},
                {"sockets", encode_sockets(s.sockets)}};
}

json encode_leak(const LeakSuspect& l) {
    json e{{"pid", l.pid},
           {"name", l.name},
           {"reason", l.reason},
           {"count", l.count},
           {"since_ms", l.since_ms},
           {"evidence", l.evidence}};
    put_container(e, l.container);
    return e;
}

void append_number(std::string& out, std::uint64_t n) {
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, r.ptr);
}

// Which leak suspects a form lists, by position in the sample: all of them,
// or in the replay form those holding the most sockets, in the sample's order.
std::vector<std::size_t> listed_leaks(const Sample& s, SampleDetail detail) {
    std::vector<std::size_t> listed(s.leaks.size());
    for (std::size_t i = 0; i < listed.size(); ++i) listed[i] = i;
    if (detail == SampleDetail::full || listed.size() <= replay_leaks) return listed;
    std::stable_sort(listed.begin(), listed.end(),
                     [&](std::size_t a, std::size_t b) { return s.leaks[a].count > s.leaks[b].count; });
    listed.resize(replay_leaks);
    std::sort(listed.begin(), listed.end());
    return listed;
}

// `head` is the dumped head_json; the frame is it, its closing brace
// replaced by the lists and counts that follow "sockets", in the order the
// hub reads them. The replay form has no container list (the count stays).
std::string finish_frame(std::string head, const Sample& s, SampleDetail detail) {
    const std::vector<std::size_t> listed = listed_leaks(s, detail);
    std::size_t guess = head.size() + 96;
    for (std::size_t i : listed) {
        const LeakSuspect& l = s.leaks[i];
        guess += 96 + l.name.size() + l.reason.size() + l.evidence.size() + l.container.size();
    }
    if (detail == SampleDetail::full) guess += 256 * s.containers.size();
    std::string out = std::move(head);
    out.pop_back();  // the head object's '}'
    out.reserve(guess);
    out += ",\"leaks\":[";
    for (std::size_t k = 0; k < listed.size(); ++k) {
        if (k != 0) out += ',';
        out += json_text(encode_leak(s.leaks[listed[k]]));  // one small string per element
    }
    out += "],\"leaks_total\":";
    append_number(out, s.leak_count());
    if (detail == SampleDetail::full) {
        out += ",\"containers\":[";
        for (std::size_t k = 0; k < s.containers.size(); ++k) {
            if (k != 0) out += ',';
            out += json_text(encode_container(s.containers[k]));
        }
        out += ']';
    }
    out += ",\"containers_total\":";
    append_number(out, s.containers_total);
    if (s.backfill) out += ",\"backfill\":true";
    out += '}';
    return out;
}

}  // namespace

std::string encode_sample(const Sample& s, SampleDetail detail) {
    json head = head_json(s);
    if (detail == SampleDetail::replay) head["sockets"].erase("netns");
    return finish_frame(json_text(head), s, detail);
}

SampleFrames encode_sample_frames(const Sample& s) {
    json head = head_json(s);
    SampleFrames out;
    out.full = finish_frame(json_text(head), s, SampleDetail::full);
    head["sockets"].erase("netns");
    out.replay = finish_frame(json_text(head), s, SampleDetail::replay);
    return out;
}

std::string encode_hello(const Hello& h) {
    json j{{"type", "hello"},
           {"protocol", h.protocol},
           {"host_id", h.host_id},
           {"hostname", h.hostname},
           {"kernel", h.kernel},
           {"cores", h.cores},
           {"boot_time", h.boot_time},
           {"interval_ms", h.interval_ms},
           {"agent_version", h.agent_version},
           {"instance", h.instance},
           {"capabilities", h.capabilities}};
    if (!h.token.empty()) j["token"] = h.token;
    return json_text(j);
}

std::string encode_error(std::string_view code, std::string_view message) {
    json j{{"type", "error"}, {"code", code}, {"message", message}};
    return json_text(j);
}

}  // namespace telehub
