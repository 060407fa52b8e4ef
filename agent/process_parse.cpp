#include "agent/process_parse.hpp"

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
    if (!skip(s, 4)) return std::nullopt;                      // 5..8
    if (!take(s, st.flags)) return std::nullopt;               // 9
    if (!skip(s, 4)) return std::nullopt;                      // 10..13
    if (!take(s, st.utime) || !take(s, st.stime)) return std::nullopt;  // 14, 15
    if (!skip(s, 3)) return std::nullopt;                      // 16..18
    if (!take(s, nice) || !take(s, st.num_threads)) return std::nullopt;  // 19, 20
    if (!skip(s, 1)) return std::nullopt;                      // 21
    if (!take(s, st.starttime)) return std::nullopt;           // 22
    if (!skip(s, 1)) return std::nullopt;                      // 23
    if (!take(s, rss)) return std::nullopt;                    // 24
    // Every kernel prints more fields after rss; their absence means the read
    // was cut and the rss digits themselves may be partial.
    if (s.empty()) return std::nullopt;
    st.nice = static_cast<int>(nice);
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
