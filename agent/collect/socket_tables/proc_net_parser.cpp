#include "agent/collect/socket_tables/proc_net_parser.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "telehub/tcp_state.hpp"

namespace telehub::agent {
namespace {

// Splits off the next space-separated token; empty when none is left.
std::string_view next_token(std::string_view& s) {
    std::size_t b = s.find_first_not_of(' ');
    if (b == std::string_view::npos) {
        s = {};
        return {};
    }
    std::size_t e = s.find(' ', b);
    if (e == std::string_view::npos) e = s.size();
    std::string_view tok = s.substr(b, e - b);
    s.remove_prefix(e);
    return tok;
}

template <class T>
bool parse_number(std::string_view s, T& v, int base) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// "0100007F:1F90" or 32 hex digits ":" port. The kernel prints each 32-bit
// word of the address as a host-order integer, so copying the parsed word's
// bytes back gives network order on any endianness.
bool parse_address(std::string_view s, SocketAddress& a) {
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view ip = s.substr(0, colon);
    if (ip.size() != 8 && ip.size() != 32) return false;
    a.v6 = ip.size() == 32;
    for (std::size_t w = 0; w < ip.size() / 8; ++w) {
        std::uint32_t word;
        if (!parse_number(ip.substr(w * 8, 8), word, 16)) return false;
        std::memcpy(a.ip.data() + w * 4, &word, 4);
    }
    return parse_number(s.substr(colon + 1), a.port, 16);
}

bool is_header(std::string_view line, std::string_view first_word) {
    std::string_view rest = line;
    return next_token(rest) == first_word;
}

template <class LineParser>
TableParse parse_table(std::string_view text, std::string_view header_word, SocketTable& out,
                       LineParser parse_line) {
    const std::size_t size_on_entry = out.size();
    std::size_t line_no = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (line_no == 1) {
            if (!is_header(line, header_word)) return {false, 1};
            continue;
        }
        if (line.find_first_not_of(' ') == std::string_view::npos) continue;
        auto e = parse_line(line);
        if (!e) {
            out.truncate(size_on_entry);
            return {false, line_no};
        }
        out.push_back(e->entry, e->ends);
    }
    if (line_no == 0) return {false, 1};  // not even a header: not a socket table
    return {};
}

}  // namespace

std::optional<ParsedSocket> parse_proc_net_inet_line(std::string_view line, SocketFamily family) {
    ParsedSocket s;
    SocketEntry& e = s.entry;
    e.family = family;
    std::string_view sl = next_token(line);
    if (sl.empty() || sl.back() != ':') return std::nullopt;
    if (!parse_address(next_token(line), s.ends.local) || !parse_address(next_token(line), s.ends.remote))
        return std::nullopt;
    if (s.ends.local.v6 != s.ends.remote.v6) return std::nullopt;
    if (!parse_number(next_token(line), e.state, 16)) return std::nullopt;
    next_token(line);  // tx_queue:rx_queue
    next_token(line);  // tr:tm->when
    next_token(line);  // retrnsmt
    if (!parse_number(next_token(line), e.uid, 10)) return std::nullopt;
    next_token(line);  // timeout (may be negative)
    if (!parse_number(next_token(line), e.inode, 10)) return std::nullopt;
    return s;
}

std::optional<ParsedSocket> parse_proc_net_unix_line(std::string_view line) {
    /* __SO_ACCEPTCON in the flags column marks a listening socket */
    constexpr std::uint32_t so_acceptcon = 0x10000;
    constexpr std::uint32_t ss_connecting = 2;
    constexpr std::uint32_t ss_connected = 3;
    ParsedSocket s;
    SocketEntry& e = s.entry;
    e.family = SocketFamily::unix_;
    std::string_view num = next_token(line);
    if (num.empty() || num.back() != ':') return std::nullopt;
    std::uint32_t refcount, protocol, flags, type, st;
    if (!parse_number(next_token(line), refcount, 16) || !parse_number(next_token(line), protocol, 16) ||
        !parse_number(next_token(line), flags, 16) || !parse_number(next_token(line), type, 16) ||
        !parse_number(next_token(line), st, 16) || !parse_number(next_token(line), e.inode, 10))
        return std::nullopt;
    if (flags & so_acceptcon) e.state = tcp_listen;
    else if (st == ss_connected) e.state = tcp_established;
    else if (st == ss_connecting) e.state = tcp_syn_sent;
    else e.state = tcp_close;
    return s;  // the rest of the line is the path, which may hold spaces
}

TableParse parse_proc_net_inet(std::string_view text, SocketFamily family, SocketTable& out) {
    return parse_table(text, "sl", out, [family](std::string_view l) { return parse_proc_net_inet_line(l, family); });
}

TableParse parse_proc_net_unix(std::string_view text, SocketTable& out) {
    return parse_table(text, "Num", out, [](std::string_view l) { return parse_proc_net_unix_line(l); });
}

}  // namespace telehub::agent
