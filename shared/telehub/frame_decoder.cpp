// Agent frames are parsed with simdjson's DOM (~5 us for a 3 KB sample) and
// validated field by field, so a malformed frame is refused with the name of
// the field at fault rather than half-applied.
#include <cstring>
#include <limits>
#include <string>

#include <simdjson.h>

#include "telehub/codec.hpp"

namespace telehub {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Keys are a few bytes, and in the usual case the very key asked for:
// compared inline, without a call to memcmp per field.
bool key_is(std::string_view key, std::string_view want) {
    if (key.size() != want.size()) return false;
    for (std::size_t i = 0; i < key.size(); ++i)
        if (key[i] != want[i]) return false;
    return true;
}

// Reads fields of one object, remembering the first error with its path.
// Fields are looked up from where the last one was found: agents send keys in
// a fixed order, so each lookup is one key comparison instead of a scan of the
// whole object. Each key is asked for at most once per object, so once as many
// fields were found as the object holds, every further key is absent: an
// optional field an agent left out (after the ones it sent) costs no scan.
// The path is a chain of parents, turned into text only when an error names
// it, so a valid frame builds no strings.
class Reader {
public:
    Reader(object obj, std::string_view name, std::optional<CodecError>& err, const Reader* parent = nullptr,
           long index = -1)
        : begin_(obj.begin()),
          end_(obj.end()),
          cur_(begin_),
          unfound_(counted_size(obj)),
          name_(name),
          parent_(parent),
          index_(index),
          err_(err) {}

    bool failed() const { return err_.has_value(); }

    std::optional<element> field(std::string_view key, bool required) {
        if (failed()) return std::nullopt;
        if (unfound_ == 0) return absent(key, required);
        // The scan moves cur_ itself: an iterator copied back into it after
        // the (out of line) step to the next key cost a stalled 16-byte load.
        const auto start = cur_;
        for (; cur_ != end_; ++cur_)
            if (key_is(cur_.key(), key)) return take();
        for (cur_ = begin_; cur_ != start; ++cur_)
            if (key_is(cur_.key(), key)) return take();
        return absent(key, required);
    }

    // Whether the field was there and read (an absent optional one: false).
    template <class T>
    bool number(std::string_view key, T& out, bool required = true) {
        auto e = field(key, required);
        if (!e) return false;
        if constexpr (std::is_floating_point_v<T>) {
            double v;
            if (e->get_double().get(v) != simdjson::SUCCESS) return refuse("wrong_type", key, "must be a number");
            out = static_cast<T>(v);
        } else if constexpr (std::is_signed_v<T>) {
            std::int64_t v;
            if (e->get_int64().get(v) != simdjson::SUCCESS) return refuse("wrong_type", key, "must be an integer");
            if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
                return refuse("bad_value", key, "is out of range");
            out = static_cast<T>(v);
        } else {
            std::uint64_t v;
            if (e->get_uint64().get(v) != simdjson::SUCCESS)
                return refuse("wrong_type", key, "must be a non-negative integer");
            if (v > std::numeric_limits<T>::max()) return refuse("bad_value", key, "is out of range");
            out = static_cast<T>(v);
        }
        return true;
    }

    void string(std::string_view key, std::string& out, bool required = true) {
        auto e = field(key, required);
        if (!e) return;
        std::string_view v;
        if (e->get_string().get(v) != simdjson::SUCCESS) return fail("wrong_type", key, "must be a string");
        out.assign(v);
    }

    // An optional string that reads as empty when absent (elements are reused).
    void optional_string(std::string_view key, std::string& out) {
        out.clear();
        string(key, out, false);
    }

    // A number that may be null: `known` says which.
    void nullable_number(std::string_view key, double& out, bool& known) {
        known = false;
        out = 0;
        auto e = field(key, false);
        if (!e || e->is_null()) return;
        if (e->get_double().get(out) != simdjson::SUCCESS) return fail("wrong_type", key, "must be a number or null");
        known = true;
    }

    void boolean(std::string_view key, bool& out, bool required = true) {
        auto e = field(key, required);
        if (!e) return;
        if (e->get_bool().get(out) != simdjson::SUCCESS) return fail("wrong_type", key, "must be true or false");
    }

    std::optional<object> child(std::string_view key, bool required = true) {
        auto e = field(key, required);
        if (!e) return std::nullopt;
        object o;
        if (e->get_object().get(o) != simdjson::SUCCESS) {
            fail("wrong_type", key, "must be an object");
            return std::nullopt;
        }
        return o;
    }

    std::optional<array> list(std::string_view key, bool required = true) {
        auto e = field(key, required);
        if (!e) return std::nullopt;
        array a;
        if (e->get_array().get(a) != simdjson::SUCCESS) {
            fail("wrong_type", key, "must be an array");
            return std::nullopt;
        }
        return a;
    }

    std::optional<CodecError>& error_slot() { return err_; }

    std::string path(std::string_view key) const {
        auto p = prefix();
        return p.empty() ? std::string(key) : p + "." + std::string(key);
    }

    std::string prefix() const {
        std::string p = parent_ ? parent_->prefix() : std::string();
        if (!p.empty() && !name_.empty()) p += ".";
        p += name_;
        if (index_ >= 0) p += "[" + std::to_string(index_) + "]";
        return p;
    }

    void fail(std::string_view code, std::string_view key, std::string_view what) {
        if (!failed()) err_ = CodecError{std::string(code), "field '" + path(key) + "' " + std::string(what)};
    }
    // fail() for a reader that answers whether it read the field.
    bool refuse(std::string_view code, std::string_view key, std::string_view what) {
        fail(code, key, what);
        return false;
    }

private:
    // simdjson saturates an object's count at 0xFFFFFF: such an object is never taken as used up.
    static std::size_t counted_size(const object& obj) {
        std::size_t n = obj.size();
        return n < 0xFFFFFF ? n : std::numeric_limits<std::size_t>::max();
    }

    element take() {
        element e = cur_.value();
        ++cur_;
        --unfound_;
        return e;
    }

    std::optional<element> absent(std::string_view key, bool required) {
        if (required) fail("missing_field", key, "is missing");
        return std::nullopt;
    }

    object::iterator begin_, end_, cur_;
    std::size_t unfound_;  // fields of the object not yet found
    std::string_view name_;
    const Reader* parent_;
    long index_;
    std::optional<CodecError>& err_;
};

void read_tcp_states(Reader& r, std::string_view key, TcpStateCounts& out, bool required) {
    out.fill(0);
    auto o = r.child(key, required);
    if (!o) return;
    int next = 1;  // agents list states in the kernel's order: try the one after the last first
    for (auto [name, value] : *o) {
        auto st = next < tcp_state_count && key_is(name, tcp_state_name(next)) ? std::optional<int>(next)
                                                                          : tcp_state_from_name(name);
        std::uint64_t n;
        if (!st) return r.fail("bad_value", key, "has an unknown TCP state '" + std::string(name) + "'");
        if (value.get_uint64().get(n) != simdjson::SUCCESS || n > std::numeric_limits<std::uint32_t>::max())
            return r.fail("wrong_type", key, "must map TCP states to non-negative integers");
        out[static_cast<std::size_t>(*st)] = static_cast<std::uint32_t>(n);
        next = *st + 1;
    }
}

// Reads each element of an array of objects with `fn(Reader&, T&)`, reusing
// the elements already in `out`.
template <class T, class Fn>
void read_objects(Reader& r, std::string_view key, std::vector<T>& out, std::optional<CodecError>& err, Fn fn,
                  bool required = true) {
    auto a = r.list(key, required);
    if (!a) {
        out.clear();
        return;
    }
    std::size_t i = 0;
    for (element e : *a) {
        object o;
        if (e.get_object().get(o) != simdjson::SUCCESS) {
            err = CodecError{"wrong_type", "field '" + r.path(key) + "[" + std::to_string(i) + "]' must be an object"};
            return;
        }
        if (i >= out.size()) out.emplace_back();
        Reader item(o, key, err, &r, static_cast<long>(i));
        fn(item, out[i]);
        if (err) return;
        ++i;
    }
    out.resize(i);
}

void read_cpu(Reader& r, CpuStats& cpu, std::optional<CodecError>& err) {
    auto o = r.child("cpu");
    if (!o) return;
    Reader c(*o, "cpu", err);
    c.number("total", cpu.total);
    c.number("user", cpu.user, false);
    c.number("system", cpu.system, false);
    c.number("iowait", cpu.iowait, false);
    c.number("steal", cpu.steal, false);
    auto cores = c.list("per_core");
    if (!cores) return;
    cpu.per_core.clear();
    for (element e : *cores) {
        double v;
        if (e.get_double().get(v) != simdjson::SUCCESS) return c.fail("wrong_type", "per_core", "must hold numbers");
        cpu.per_core.push_back(v);
    }
}

void read_top(Reader& p, TopProcess& t, std::optional<CodecError>& err) {
    p.number("pid", t.pid);
    p.number("ppid", t.ppid, false);
    p.string("name", t.name);
    p.string("cmdline", t.cmdline, false);
    p.string("user", t.user, false);
    std::string state;
    p.string("state", state, false);
    t.state = state.empty() ? '?' : state[0];
    p.number("cpu", t.cpu);
    p.number("utime", t.utime, false);
    p.number("stime", t.stime, false);
    p.number("rss", t.rss, false);
    p.number("threads", t.threads, false);
    p.number("nice", t.nice, false);
    t.sockets = {};
    if (auto so = p.child("sockets", false)) {
        Reader s(*so, "sockets", err, &p);
        s.number("tcp", t.sockets.tcp, false);
        s.number("udp", t.sockets.udp, false);
        s.number("unix", t.sockets.unix_, false);
    }
    p.optional_string("container", t.container);
}

void read_churn(Reader& s, HostSockets& hs, std::optional<CodecError>& err);

// Namespaces and containers arrived in a later revision of version 1: optional.
void read_netns(Reader& s, HostSockets& hs, std::optional<CodecError>& err) {
    read_objects(
        s, "netns", hs.netns, err,
        [](Reader& p, NetnsSockets& n) {
            p.number("inode", n.inode);
            n.host = false;
            p.boolean("host", n.host, false);
            p.optional_string("source", n.source);
            p.optional_string("container_id", n.container_id);
            p.optional_string("container", n.container);
            n.owner_pid = 0;
            p.number("owner_pid", n.owner_pid, false);
            p.optional_string("owner_name", n.owner_name);
            n.processes = n.udp = n.unix_ = 0;
            p.number("processes", n.processes, false);
            read_tcp_states(p, "tcp", n.tcp, false);
            p.number("udp", n.udp, false);
            p.number("unix", n.unix_, false);
        },
        false);
}

void read_containers(Reader& r, Sample& s, std::optional<CodecError>& err) {
    read_objects(
        r, "containers", s.containers, err,
        [](Reader& p, ContainerStats& c) {
            p.string("id", c.id);
            p.optional_string("name", c.name);
            p.optional_string("runtime", c.runtime);
            p.nullable_number("cpu", c.cpu, c.cpu_known);
            c.mem = c.mem_limit = 0;
            c.procs = c.udp = c.unix_ = c.opened = c.closed = c.leaks = 0;
            c.mem_known = p.number("mem", c.mem, false);
            p.number("mem_limit", c.mem_limit, false);
            p.number("procs", c.procs, false);
            read_tcp_states(p, "tcp", c.tcp, false);
            p.number("udp", c.udp, false);
            p.number("unix", c.unix_, false);
            p.number("opened", c.opened, false);
            p.number("closed", c.closed, false);
            p.number("leaks", c.leaks, false);
        },
        false);
    if (err) return;
    s.containers_total = static_cast<std::uint32_t>(s.containers.size());
    r.number("containers_total", s.containers_total, false);
    if (!err && s.containers_total < s.containers.size())
        r.fail("bad_value", "containers_total", "is below the number of containers listed");
}

void read_sockets(Reader& r, HostSockets& hs, std::optional<CodecError>& err) {
    auto o = r.child("sockets");
    if (!o) return;
    Reader s(*o, "sockets", err);
    read_tcp_states(s, "tcp", hs.tcp, true);
    s.number("udp", hs.udp);
    s.number("unix", hs.unix_);
    s.number("raw", hs.raw, false);
    s.number("unattributed", hs.unattributed, false);
    s.string("source", hs.source, false);
    if (s.failed()) return;
    read_objects(
        s, "by_process", hs.by_process, err,
        [](Reader& p, ProcessSockets& ps) {
            p.number("pid", ps.pid);
            p.string("name", ps.name, false);
            p.number("total", ps.total);
            read_tcp_states(p, "tcp", ps.tcp, false);
            p.number("udp", ps.udp, false);
            p.number("unix", ps.unix_, false);
            p.optional_string("container", ps.container);
        },
        false);
    if (err) return;
    read_churn(s, hs, err);
    if (err) return;
    read_netns(s, hs, err);
}

void read_family_counts(Reader& r, std::string_view key, FamilyCounts& f, std::optional<CodecError>& err) {
    f = {};
    auto o = r.child(key, false);
    if (!o) return;
    Reader c(*o, key, err, &r);
    c.number("tcp", f.tcp, false);
    c.number("udp", f.udp, false);
    c.number("unix", f.unix_, false);
    c.number("other", f.other, false);
}

// Churn and leaks arrived in a later revision of version 1: all optional.
void read_churn(Reader& s, HostSockets& hs, std::optional<CodecError>& err) {
    hs.churn = {};
    if (auto o = s.child("churn", false)) {
        Reader c(*o, "sockets.churn", err);
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
    }
    if (err) return;
    read_objects(
        s, "churn_by_process", hs.churn_by_process, err,
        [&err](Reader& p, ProcessChurn& pc) {
            p.number("pid", pc.pid);
            p.string("name", pc.name, false);
            read_family_counts(p, "opened", pc.opened, err);
            read_family_counts(p, "closed", pc.closed, err);
            p.number("opened_total", pc.opened_total, false);
            p.number("closed_total", pc.closed_total, false);
            read_family_counts(p, "open", pc.open, err);
            p.optional_string("container", pc.container);
        },
        false);
}

void read_leaks(Reader& r, Sample& s, std::optional<CodecError>& err) {
    read_objects(
        r, "leaks", s.leaks, err,
        [](Reader& p, LeakSuspect& l) {
            p.number("pid", l.pid);
            p.string("name", l.name, false);
            p.string("reason", l.reason);
            p.number("count", l.count, false);
            p.number("since_ms", l.since_ms, false);
            l.evidence.clear();
            p.string("evidence", l.evidence, false);
            p.optional_string("container", l.container);
        },
        false);
    if (err) return;
    s.leaks_total = static_cast<std::uint32_t>(s.leaks.size());
    r.number("leaks_total", s.leaks_total, false);
    if (!err && s.leaks_total < s.leaks.size())
        r.fail("bad_value", "leaks_total", "is below the number of leak suspects listed");
}

void read_sample(Reader& r, Sample& s, std::optional<CodecError>& err) {
    r.string("host_id", s.host_id);
    r.number("seq", s.seq);
    r.number("ts_ms", s.ts_ms);
    r.number("interval_ms", s.interval_ms);
    if (r.failed()) return;
    if (s.interval_ms == 0) return r.fail("bad_value", "interval_ms", "must be positive");
    read_cpu(r, s.cpu, err);
    if (err) return;
    s.load = {};
    if (auto load = r.list("load", false)) {
        std::size_t i = 0;
        for (element e : *load) {
            if (i == 3 || e.get_double().get(s.load[i]) != simdjson::SUCCESS)
                return r.fail("wrong_type", "load", "must be three numbers");
            ++i;
        }
    }
    s.mem = {};
    if (auto mem = r.child("mem", false)) {
        Reader m(*mem, "mem", err);
        m.number("total", s.mem.total, false);
        m.number("available", s.mem.available, false);
    }
    s.procs = {};
    if (auto procs = r.child("procs", false)) {
        Reader p(*procs, "procs", err);
        p.number("total", s.procs.total, false);
        p.number("running", s.procs.running, false);
    }
    if (err) return;
    read_objects(r, "top", s.top, err, [&err](Reader& p, TopProcess& t) { read_top(p, t, err); });
    if (err) return;
    read_sockets(r, s.sockets, err);
    if (err) return;
    read_leaks(r, s, err);
    if (err) return;
    read_containers(r, s, err);
    if (err) return;
    // Last, where agents put it, and only when true.
    s.backfill = false;
    r.boolean("backfill", s.backfill, false);
}

void read_hello(Reader& r, Hello& h) {
    r.number("protocol", h.protocol);
    r.string("host_id", h.host_id);
    r.string("hostname", h.hostname, false);
    r.string("kernel", h.kernel, false);
    r.number("cores", h.cores, false);
    r.number("boot_time", h.boot_time, false);
    r.number("interval_ms", h.interval_ms);
    r.string("agent_version", h.agent_version, false);
    h.instance = 0;
    r.number("instance", h.instance, false);
    h.token.clear();
    r.string("token", h.token, false);
    h.capabilities.clear();
    if (r.failed()) return;
    if (h.host_id.empty()) return r.fail("bad_value", "host_id", "must not be empty");
    if (h.interval_ms == 0) return r.fail("bad_value", "interval_ms", "must be positive");
    if (auto caps = r.list("capabilities", false)) {
        for (element e : *caps) {
            std::string_view c;
            if (e.get_string().get(c) != simdjson::SUCCESS)
                return r.fail("wrong_type", "capabilities", "must hold strings");
            h.capabilities.emplace_back(c);
        }
    }
}

void read_reply(Reader& r, CommandReply& out) {
    out = CommandReply{};
    r.string("id", out.id);
    r.boolean("ok", out.ok);
    if (r.failed()) return;
    if (out.ok) {
        auto result = r.field("result", true);
        if (result) out.result_json = simdjson::minify(*result);
        return;
    }
    auto e = r.child("error", true);
    if (!e) return;
    Reader er(*e, "error", r.error_slot());
    er.string("code", out.error_code);
    er.string("message", out.error_message);
}

}  // namespace

struct FrameDecoder::Impl {
    simdjson::dom::parser parser;
    std::string padded;  // frame copied with simdjson's required padding
};

FrameDecoder::FrameDecoder() : impl_(std::make_unique<Impl>()) {}
FrameDecoder::~FrameDecoder() = default;

static_assert(FrameDecoder::padding >= simdjson::SIMDJSON_PADDING);

std::optional<CodecError> FrameDecoder::decode(std::string_view frame, AgentFrame& out) {
    auto& padded = impl_->padded;
    if (padded.size() < frame.size() + padding) padded.resize(frame.size() + padding);
    std::memcpy(padded.data(), frame.data(), frame.size());
    return decode_in_place(std::string_view(padded.data(), frame.size()), out);
}

std::optional<CodecError> FrameDecoder::decode_in_place(std::string_view frame, AgentFrame& out) {
    element doc;
    if (auto e = impl_->parser.parse(frame.data(), frame.size(), false).get(doc); e != simdjson::SUCCESS) {
        // A text frame must be UTF-8 before it can be JSON: the WebSocket layer's own refusal (1007).
        if (e == simdjson::UTF8_ERROR) return CodecError{"bad_utf8", "frame is not valid UTF-8 text"};
        return CodecError{"bad_json", std::string("frame is not valid JSON: ") + simdjson::error_message(e)};
    }
    object root;
    if (doc.get_object().get(root) != simdjson::SUCCESS)
        return CodecError{"wrong_type", "frame must be a JSON object"};

    std::optional<CodecError> err;
    Reader r(root, "", err);
    std::string_view type;
    auto t = r.field("type", true);
    if (!t) return err;
    if (t->get_string().get(type) != simdjson::SUCCESS)
        return CodecError{"wrong_type", "field 'type' must be a string"};

    if (type == "sample") {
        out.kind = FrameKind::sample;
        read_sample(r, out.sample, err);
    } else if (type == "hello") {
        out.kind = FrameKind::hello;
        read_hello(r, out.hello);
    } else if (type == "reply") {
        out.kind = FrameKind::reply;
        read_reply(r, out.reply);
    } else {
        return CodecError{"unknown_type", "unknown message type '" + std::string(type) + "'"};
    }
    return err;
}

}  // namespace telehub
