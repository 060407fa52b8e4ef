#include "agent/collect/processes/process_parse.hpp"

#include <charconv>

namespace telehub::agent {

namespace {

// Reads the next space-separated number; false when it is missing or is not
// a number that fits T.
template <class T>
bool take(std::string_view& s, T& v) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{}) return false;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    // "12abc" is not a number followed by another field.
    return s.empty() || s.front() == ' ' || s.front() == '\n';
}

// Skips `n` space-separated fields whose values are not needed.
bool skip(std::string_view& s, int n) {
    for (int i = 0; i < n; ++i) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        auto end = s.find(' ');
        if (s.empty() || end == std::string_view::npos) return false;
        s.remove_prefix(end);
    }
    return true;
}

}  // namespace

std::optional<PidStat> parse_pid_stat(std::string_view text) {
    PidStat st;
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
    std::string_view head = text.substr(0, open);
    if (!take(head, st.pid) || st.pid <= 0) return std::nullopt;
    st.comm = text.substr(open + 1, close - open - 1);

    std::string_view s = text.substr(close + 1);
    if (s.size() < 3 || s[0] != ' ' || s[2] != ' ') return std::nullopt;
    st.state = s[1];
    s.remove_prefix(2);
    std::int64_t nice = 0, rss = 0;
    if (!take(s, st.ppid)) return std::nullopt;                // 4
    std::int64_t tty = 0;
    if (!skip(s, 2)) return std::nullopt;                      // 5, 6
    if (!take(s, tty)) return std::nullopt;                    // 7
    if (!skip(s, 1)) return std::nullopt;                      // 8
    if (!take(s, st.flags)) return std::nullopt;               // 9
    if (!skip(s, 4)) return std::nullopt;                      // 10..13
    if (!take(s, st.utime) || !take(s, st.stime)) return std::nullopt;  // 14, 15
    if (!skip(s, 3)) return std::nullopt;                      // 16..18
    if (!take(s, nice) || !take(s, st.num_threads)) return std::nullopt;  // 19, 20
    if (!skip(s, 1)) return std::nullopt;                      // 21
    if (!take(s, st.starttime)) return std::nullopt;           // 22
    if (!take(s, st.vsize)) return std::nullopt;               // 23
    if (!take(s, rss)) return std::nullopt;                    // 24
    // Every kernel prints more fields after rss; their absence means the read
    // was cut and the rss digits themselves may be partial.
    if (s.empty()) return std::nullopt;
    st.nice = static_cast<int>(nice);
    // Printed as a signed int; a negative value is no device anyone can name.
    st.tty_nr = tty > 0 ? static_cast<std::uint32_t>(tty) : 0;
    st.rss_pages = rss > 0 ? static_cast<std::uint64_t>(rss) : 0;
    return st;
}

std::optional<std::uint32_t> parse_status_uid(std::string_view text) {
    std::size_t pos = text.starts_with("Uid:") ? 0 : text.find("\nUid:");
    if (pos == std::string_view::npos) return std::nullopt;
    std::string_view s = text.substr(pos + (text[pos] == '\n' ? 5 : 4));
    while (!s.empty() && (s.front() == '\t' || s.front() == ' ')) s.remove_prefix(1);
    std::uint32_t uid = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), uid);
    if (ec != std::errc{}) return std::nullopt;
    // A read cut right after the first digits could be a different uid.
    if (p == s.data() + s.size()) return std::nullopt;
    return uid;
}

namespace {

// The value of the "Key:" line of a status text, or nullopt when absent.
std::optional<std::string_view> status_field(std::string_view text, std::string_view key) {
    for (std::size_t pos = 0; pos < text.size();) {
        auto nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':') {
            // A line without its newline may have been cut by a short read.
            if (nl == std::string_view::npos) return std::nullopt;
            return line.substr(key.size() + 1);
        }
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return std::nullopt;
}

template <class T>
bool take_blank_separated(std::string_view& s, T& v) {
    while (!s.empty() && (s.front() == '\t' || s.front() == ' ')) s.remove_prefix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{}) return false;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    return s.empty() || s.front() == '\t' || s.front() == ' ';
}

std::optional<IdTriple> parse_id_line(std::string_view text, std::string_view key) {
    auto value = status_field(text, key);
    if (!value) return std::nullopt;
    IdTriple ids;
    if (!take_blank_separated(*value, ids.real) || !take_blank_separated(*value, ids.effective) ||
        !take_blank_separated(*value, ids.saved))
        return std::nullopt;
    return ids;
}

std::optional<std::uint64_t> parse_count_line(std::string_view text, std::string_view key) {
    auto value = status_field(text, key);
    std::uint64_t v = 0;
    if (!value || !take_blank_separated(*value, v) || !value->empty()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<StatusIds> parse_status_ids(std::string_view text) {
    auto uids = parse_id_line(text, "Uid");
    auto gids = parse_id_line(text, "Gid");
    if (!uids || !gids) return std::nullopt;
    StatusIds out;
    out.uids = *uids;
    out.gids = *gids;
    out.voluntary_ctxt_switches = parse_count_line(text, "voluntary_ctxt_switches");
    out.nonvoluntary_ctxt_switches = parse_count_line(text, "nonvoluntary_ctxt_switches");
    return out;
}

std::string_view process_status_name(char state) {
    // psutil's names (psutil/_pslinux.py PROC_STATUSES), so seed 001's clients read them unchanged.
    switch (state) {
        case 'R': return "running";
        case 'S': return "sleeping";
        case 'D': return "disk-sleep";
        case 'T': return "stopped";
        case 't': return "tracing-stop";
        case 'Z': return "zombie";
        case 'X': case 'x': return "dead";
        case 'K': return "wake-kill";
        case 'W': return "waking";
        case 'I': return "idle";
        case 'P': return "parked";
        default: return "unknown";
    }
}

std::vector<std::string> split_cmdline(std::string_view raw) {
    while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
    std::vector<std::string> args;
    if (raw.empty()) return args;
    for (;;) {
        auto nul = raw.find('\0');
        args.emplace_back(raw.substr(0, nul));
        if (nul == std::string_view::npos) break;
        raw.remove_prefix(nul + 1);
    }
    return args;
}

void format_cmdline(std::string_view raw, std::string& out) {
    while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
    if (raw.size() > kCmdlineMax) {
        std::size_t cut = kCmdlineMax;
        // Back up over UTF-8 continuation bytes so the cut lands on a boundary.
        while (cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) --cut;
        raw = raw.substr(0, cut);
        while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
    }
    out.assign(raw);
    for (char& c : out)
        if (c == '\0') c = ' ';
}

std::string format_cmdline(std::string_view raw) {
    std::string out;
    format_cmdline(raw, out);
    return out;
}

}  // namespace telehub::agent
