// Agent frames are read in one pass over their text (FieldReader over
// JsonScan) into the reused AgentFrame, every field checked as it is read, so
// a malformed frame is refused with the name of the field at fault rather
// than half-applied. simdjson checks a frame's UTF-8 first and, for a frame
// refused, whether it is JSON at all: a broken frame is `bad_json` in
// simdjson's words, whatever else is wrong with it.
#include <array>
#include <limits>
#include <string>
#include <utility>

#include <simdjson.h>

#include "telehub/codec.hpp"
#include "telehub/frame_reader.hpp"

namespace telehub {
namespace {

// The TCP state names from ESTABLISHED (1) on, in the kernel's order, which
// is the order agents list them in.
template <std::size_t... I>
consteval std::array<FieldKey, sizeof...(I)> state_keys(std::index_sequence<I...>) {
    return {FieldKey(tcp_state_names[I + 1])...};
}
constexpr auto tcp_state_keys = state_keys(std::make_index_sequence<tcp_state_count - 1>());

void read_tcp_states(FieldReader& r, const FieldKey& field, TcpStateCounts& out, bool required) {
    const std::string_view key = field.text;
    out.fill(0);
    r.object(field, required, [&](FieldReader& o) {
        std::uint32_t seen = 0;
        o.each(tcp_state_keys, [&](std::string_view name, std::size_t i) {
            const auto st = i != FieldReader::npos ? std::optional<int>(static_cast<int>(i) + 1) : tcp_state_from_name(name);
            if (!st) return r.refuse("bad_value", key, "has an unknown TCP state '" + FieldReader::shown(name) + "'");
            const std::uint32_t bit = std::uint32_t{1} << *st;
            if (seen & bit) return r.refuse("duplicate_field", key, "has the TCP state '" + std::string(name) + "' twice");
            seen |= bit;
            constexpr auto what = "must map TCP states to non-negative integers";
            std::uint64_t count;
            if (!o.scan().small_count(count)) {
                JsonNumber n;
                if (!o.scan().number(n)) return r.refuse_type(key, what);
                if (n.kind != JsonNumber::Kind::non_negative) return r.refuse("wrong_type", key, what);
                count = n.magnitude;
            }
            if (count > std::numeric_limits<std::uint32_t>::max()) return r.refuse("wrong_type", key, what);
            out[static_cast<std::size_t>(*st)] = static_cast<std::uint32_t>(count);
            return true;
        });
    });
}

void read_cpu(FieldReader& r, CpuStats& cpu) {
    r.object("cpu", true, [&](FieldReader& c) {
        c.number("total", cpu.total);
        c.number("user", cpu.user, false);
        c.number("system", cpu.system, false);
        c.number("iowait", cpu.iowait, false);
        c.number("steal", cpu.steal, false);
        cpu.per_core.clear();
        c.array("per_core", true, [&](std::size_t) {
            JsonNumber n;
            if (!c.scan().number(n)) return c.refuse_type("per_core", "must hold numbers");
            cpu.per_core.push_back(n.value);
            return true;
        });
    });
}

void read_top(FieldReader& p, TopProcess& t, std::string& scratch) {
    p.number("pid", t.pid);
    p.number("ppid", t.ppid, false);
    p.string("name", t.name);
    p.string("cmdline", t.cmdline, false);
    p.string("user", t.user, false);
    p.string("state", scratch, false);
    t.state = scratch.empty() ? '?' : scratch[0];
    p.number("cpu", t.cpu);
    p.number("utime", t.utime, false);
    p.number("stime", t.stime, false);
    p.number("rss", t.rss, false);
    p.number("threads", t.threads, false);
    p.number("nice", t.nice, false);
    t.sockets = {};
    p.object("sockets", false, [&](FieldReader& s) {
        s.number("tcp", t.sockets.tcp, false);
        s.number("udp", t.sockets.udp, false);
        s.number("unix", t.sockets.unix_, false);
    });
    p.string("container", t.container, false);
}

// Namespaces and containers arrived in a later revision of version 1: optional.
void read_netns(FieldReader& s, HostSockets& hs) {
    s.objects("netns", hs.netns, [](FieldReader& p, NetnsSockets& n) {
        p.number("inode", n.inode);
        p.boolean("host", n.host, false);
        p.string("source", n.source, false);
        p.string("container_id", n.container_id, false);
        p.string("container", n.container, false);
        p.number("owner_pid", n.owner_pid, false);
        p.string("owner_name", n.owner_name, false);
        p.number("processes", n.processes, false);
        read_tcp_states(p, "tcp", n.tcp, false);
        p.number("udp", n.udp, false);
        p.number("unix", n.unix_, false);
    });
}

void read_containers(FieldReader& r, Sample& s) {
    r.objects("containers", s.containers, [](FieldReader& p, ContainerStats& c) {
        p.string("id", c.id);
        p.string("name", c.name, false);
        p.string("runtime", c.runtime, false);
        p.nullable_number("cpu", c.cpu, c.cpu_known);
        c.mem_known = p.number("mem", c.mem, false);
        p.number("mem_limit", c.mem_limit, false);
        p.number("procs", c.procs, false);
        p.skip("sockets");  // the sum of the counts below, for readers of the raw frame
        read_tcp_states(p, "tcp", c.tcp, false);
        p.number("udp", c.udp, false);
        p.number("unix", c.unix_, false);
        p.number("opened", c.opened, false);
        p.number("closed", c.closed, false);
        p.number("leaks", c.leaks, false);
    });
    if (r.failed()) return;
    if (!r.number("containers_total", s.containers_total, false))
        s.containers_total = static_cast<std::uint32_t>(s.containers.size());
    if (!r.failed() && s.containers_total < s.containers.size())
        r.fail("bad_value", "containers_total", "is below the number of containers listed");
}

void read_family_counts(FieldReader& r, const FieldKey& key, FamilyCounts& f) {
    f = {};
    r.object(key, false, [&](FieldReader& c) {
        c.number("tcp", f.tcp, false);
        c.number("udp", f.udp, false);
        c.number("unix", f.unix_, false);
        c.number("other", f.other, false);
    });
}

// Churn and leaks arrived in a later revision of version 1: all optional.
void read_churn(FieldReader& s, HostSockets& hs) {
    hs.churn = {};
    s.object("churn", false, [&](FieldReader& c) {
        HostChurn& h = hs.churn;
        c.boolean("exact", h.exact, false);
        c.number("opened", h.opened, false);
        c.number("closed", h.closed, false);
        c.number("tcp_active_opens", h.tcp_active_opens, false);
        c.number("tcp_passive_opens", h.tcp_passive_opens, false);
        c.number("tcp_attempt_fails", h.tcp_attempt_fails, false);
        c.number("tcp_estab_resets", h.tcp_estab_resets, false);
        c.number("tcp_out_rsts", h.tcp_out_rsts, false);
        c.number("udp_in_datagrams", h.udp_in_datagrams, false);
        c.number("udp_out_datagrams", h.udp_out_datagrams, false);
        c.number("sockets_used", h.sockets_used, false);
        c.number("tcp_inuse", h.tcp_inuse, false);
        c.number("tcp_orphan", h.tcp_orphan, false);
        c.number("tcp_tw", h.tcp_tw, false);
        c.number("udp_inuse", h.udp_inuse, false);
    });
    if (s.failed()) return;
    s.objects("churn_by_process", hs.churn_by_process, [](FieldReader& p, ProcessChurn& pc) {
        p.number("pid", pc.pid);
        p.string("name", pc.name, false);
        read_family_counts(p, "opened", pc.opened);
        read_family_counts(p, "closed", pc.closed);
        p.number("opened_total", pc.opened_total, false);
        p.number("closed_total", pc.closed_total, false);
        read_family_counts(p, "open", pc.open);
        p.string("container", pc.container, false);
    });
}

void read_sockets(FieldReader& r, HostSockets& hs) {
    r.object("sockets", true, [&](FieldReader& s) {
        read_tcp_states(s, "tcp", hs.tcp, true);
        s.number("udp", hs.udp);
        s.number("unix", hs.unix_);
        s.number("raw", hs.raw, false);
        s.number("unattributed", hs.unattributed, false);
        s.string("source", hs.source, false);
        if (s.failed()) return;
        s.objects("by_process", hs.by_process, [](FieldReader& p, ProcessSockets& ps) {
            p.number("pid", ps.pid);
            p.string("name", ps.name, false);
            p.number("total", ps.total);
            read_tcp_states(p, "tcp", ps.tcp, false);
            p.number("udp", ps.udp, false);
            p.number("unix", ps.unix_, false);
            p.string("container", ps.container, false);
        });
        if (s.failed()) return;
        read_churn(s, hs);
        if (s.failed()) return;
        read_netns(s, hs);
    });
}

void read_leaks(FieldReader& r, Sample& s) {
    r.objects("leaks", s.leaks, [](FieldReader& p, LeakSuspect& l) {
        p.number("pid", l.pid);
        p.string("name", l.name, false);
        p.string("reason", l.reason);
        p.number("count", l.count, false);
        p.number("since_ms", l.since_ms, false);
        p.string("evidence", l.evidence, false);
        p.string("container", l.container, false);
    });
    if (r.failed()) return;
    if (!r.number("leaks_total", s.leaks_total, false)) s.leaks_total = static_cast<std::uint32_t>(s.leaks.size());
    if (!r.failed() && s.leaks_total < s.leaks.size())
        r.fail("bad_value", "leaks_total", "is below the number of leak suspects listed");
}

void read_sample(FieldReader& r, Sample& s, std::string& scratch) {
    r.string("host_id", s.host_id);
    r.number("seq", s.seq);
    r.number("ts_ms", s.ts_ms);
    r.number("interval_ms", s.interval_ms);
    if (r.failed()) return;
    if (s.interval_ms == 0) return r.fail("bad_value", "interval_ms", "must be positive");
    read_cpu(r, s.cpu);
    if (r.failed()) return;
    s.load = {};
    r.array("load", false, [&](std::size_t i) {
        JsonNumber n;
        if (i == 3 || !r.scan().number(n)) return r.refuse_type("load", "must be three numbers");
        s.load[i] = n.value;
        return true;
    });
    s.mem = {};
    r.object("mem", false, [&](FieldReader& m) {
        m.number("total", s.mem.total, false);
        m.number("available", s.mem.available, false);
    });
    s.procs = {};
    r.object("procs", false, [&](FieldReader& p) {
        p.number("total", s.procs.total, false);
        p.number("running", s.procs.running, false);
    });
    if (r.failed()) return;
    r.objects("top", s.top, [&](FieldReader& p, TopProcess& t) { read_top(p, t, scratch); }, true);
    if (r.failed()) return;
    read_sockets(r, s.sockets);
    if (r.failed()) return;
    read_leaks(r, s);
    if (r.failed()) return;
    read_containers(r, s);
    if (r.failed()) return;
    // Last, where agents put it, and only when true.
    r.boolean("backfill", s.backfill, false);
}

void read_hello(FieldReader& r, Hello& h) {
    r.number("protocol", h.protocol);
    r.string("host_id", h.host_id);
    r.string("hostname", h.hostname, false);
    r.string("kernel", h.kernel, false);
    r.number("cores", h.cores, false);
    r.number("boot_time", h.boot_time, false);
    r.number("interval_ms", h.interval_ms);
    r.string("agent_version", h.agent_version, false);
    r.number("instance", h.instance, false);
    r.string("token", h.token, false);
    h.capabilities.clear();
    if (r.failed()) return;
    if (h.host_id.empty()) return r.fail("bad_value", "host_id", "must not be empty");
    if (h.interval_ms == 0) return r.fail("bad_value", "interval_ms", "must be positive");
    r.array("capabilities", false, [&](std::size_t) {
        if (!r.scan().string(h.capabilities.emplace_back())) {
            h.capabilities.pop_back();
            return r.refuse_type("capabilities", "must hold strings");
        }
        return true;
    });
}

void read_reply(FieldReader& r, CommandReply& out) {
    out = CommandReply{};
    r.string("id", out.id);
    r.boolean("ok", out.ok);
    if (r.failed()) return;
    if (out.ok) {
        if (r.find("result", true) && r.scan().copy_value(out.result_json)) r.next();
        return;
    }
    r.object("error", true, [&](FieldReader& er) {
        er.string("code", out.error_code);
        er.string("message", out.error_message);
    });
}

// Reads the frame into `out`; the first error, a grammar error included.
std::optional<CodecError> read_frame(AgentFrame& out, FrameReadState& st) {
    auto& scan = st.scan;
    if (scan.peek() != '{') {
        if (scan.skip_value()) {
            if (scan.at_end()) return CodecError{"wrong_type", "frame must be a JSON object"};
            scan.fail("the end of the frame after its value");
        }
    } else {
        FieldReader r(st, "");
        std::string_view type;
        bool escaped = false;
        if (r.find("type", true)) {
            if (!scan.raw_string(type, escaped)) r.refuse_type("type", "must be a string");
            r.next();
        }
        if (escaped) {
            JsonScan::unescape(type, st.key_scratch);
            type = st.key_scratch;
        }
        if (!r.failed()) {
            if (type == "sample") {
                out.kind = FrameKind::sample;
                read_sample(r, out.sample, st.value_scratch);
            } else if (type == "hello") {
                out.kind = FrameKind::hello;
                read_hello(r, out.hello);
            } else if (type == "reply") {
                out.kind = FrameKind::reply;
                read_reply(r, out.reply);
            } else {
                return CodecError{"unknown_type", "unknown message type '" + std::string(type) + "'"};
            }
        }
        r.finish();
        if (!r.failed() && !scan.at_end()) scan.fail("the end of the frame after its object");
    }
    if (st.error) return std::move(st.error);
    if (scan.broke_on_key_twice()) {
        return CodecError{"duplicate_field", "the key '" + FieldReader::shown(scan.key_twice()) +
                                                 "' is sent twice in one object (the object ending at byte " +
                                                 std::to_string(scan.offset()) + ")"};
    }
    if (scan.broken())
        return CodecError{"bad_json", "frame is not valid JSON: expected " + std::string(scan.broken_reason()) +
                                          " at byte " + std::to_string(scan.offset())};
    return std::nullopt;
}

// Reads `frame` into `out`. `padded`: simdjson may read FrameDecoder::padding
// bytes past its end, so a refused frame is parsed where it lies; else
// simdjson copies it first (only refused frames reach simdjson's parser).
std::optional<CodecError> decode_frame(simdjson::dom::parser& parser, FrameReadState& st, std::string_view frame,
                                       AgentFrame& out, bool padded) {
    std::optional<CodecError> err;
    // The cursor takes every byte above 0x7F as text: UTF-8 is checked first, for the whole frame.
    if (simdjson::validate_utf8(frame.data(), frame.size())) {
        st.reset(frame);
        err = read_frame(out, st);
        if (!err) return err;
    }
    // Reading stopped at the first fault; a frame that is not JSON further on
    // is named for that, in simdjson's words, as when the whole text was
    // parsed before any field was read.
    simdjson::dom::element doc;
    if (auto e = parser.parse(frame.data(), frame.size(), !padded).get(doc); e != simdjson::SUCCESS) {
        // A text frame must be UTF-8 before it can be JSON: the WebSocket layer's own refusal (1007).
        if (e == simdjson::UTF8_ERROR) return CodecError{"bad_utf8", "frame is not valid UTF-8 text"};
        return CodecError{"bad_json", std::string("frame is not valid JSON: ") + simdjson::error_message(e)};
    }
    if (!err) err = CodecError{"bad_utf8", "frame is not valid UTF-8 text"};  // both checks of UTF-8 must agree
    return err;
}

}  // namespace

struct FrameDecoder::Impl {
    simdjson::dom::parser parser;  // for frames refused: is the text JSON at all?
    FrameReadState state{{}};      // its buffers kept from frame to frame
};

FrameDecoder::FrameDecoder() : impl_(std::make_unique<Impl>()) {}
FrameDecoder::~FrameDecoder() = default;

static_assert(FrameDecoder::padding >= simdjson::SIMDJSON_PADDING);

std::optional<CodecError> FrameDecoder::decode(std::string_view frame, AgentFrame& out) {
    return decode_frame(impl_->parser, impl_->state, frame, out, false);
}

std::optional<CodecError> FrameDecoder::decode_in_place(std::string_view frame, AgentFrame& out) {
    return decode_frame(impl_->parser, impl_->state, frame, out, true);
}

}  // namespace telehub
