#include "hub/log/terminal_log.hpp"

#define BOOST_TEST_MODULE terminal_log
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <cstdio>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/support/wait.hpp"

using namespace telehub::hub;
using namespace std::chrono_literals;

namespace {

SampleLogLine line(std::string host, double cpu) {
    SampleLogLine l;
    l.ts_ms = 1763800000123;
    l.host_id = std::move(host);
    l.cpu = cpu;
    l.top_name = "nginx";
    l.top_cpu = 35.2;
    l.tcp_established = 120;
    l.tcp_listen = 8;
    l.sockets_total = 195;
    return l;
}

// Reads what the log thread has flushed, without moving its file position.
std::string contents(std::FILE* f) {
    std::string s;
    char buf[4096];
    off_t off = 0;
    for (;;) {
        auto n = ::pread(::fileno(f), buf, sizeof buf, off);
        if (n <= 0) break;
        s.append(buf, static_cast<std::size_t>(n));
        off += n;
    }
    return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(text_line_marks_hot_hosts) {
    TerminalLogOptions o;
    o.color = false;
    o.out = o.err = nullptr;
    TerminalLog log(o);
    auto hot = log.format_sample(line("web-1", 91.5));
    BOOST_TEST(hot.find("HOT") != std::string::npos);
    BOOST_TEST(hot.find("web-1") != std::string::npos);
    BOOST_TEST(hot.find("91.5%") != std::string::npos);
    BOOST_TEST(hot.find("nginx") != std::string::npos);
    BOOST_TEST(hot.find("35.2%") != std::string::npos);
    BOOST_TEST(hot.find("est 120 listen 8") != std::string::npos);
    BOOST_TEST(hot.find("sockets 195") != std::string::npos);
    BOOST_TEST(hot.find("\x1b[") == std::string::npos);
    BOOST_TEST(log.format_sample(line("db-1", 12)).find("HOT") == std::string::npos);
}

// The columns after the host line up: the host column is as wide as the
// widest label so far (in characters), up to a cap.
BOOST_AUTO_TEST_CASE(text_lines_keep_their_columns_whatever_the_host_label) {
    TerminalLogOptions o;
    o.color = false;
    o.out = o.err = nullptr;
    TerminalLog log(o);
    auto at_cpu = [&](std::string id, std::string hostname) {
        auto l = line(std::move(id), 20);
        l.hostname = std::move(hostname);
        auto text = log.format_sample(l);
        const auto bytes = text.substr(0, text.find(" cpu "));
        return std::count_if(bytes.begin(), bytes.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; });
    };
    const auto wide = at_cpu("lg000039-eb0", "cache-39");  // 23 characters: wider than the first 20
    BOOST_TEST(at_cpu("lg000002-1d0", "db-2") == wide);
    BOOST_TEST(at_cpu("vm", "vm") == wide);
    BOOST_TEST(at_cpu("h\u00f4te-\u00e9t\u00e9", "") == wide, "padded by characters, not bytes");
    // A label past the cap is written whole; the column stays at the cap.
    const auto capped = at_cpu(std::string(80, 'x'), "");
    BOOST_TEST(capped > wide);
    BOOST_TEST(at_cpu("web-1", "") < capped);
}

// Operators know machines by hostname: it leads the line, with the id cut to
// 12 characters to tell two of one name apart; an id that is the hostname
// (or a host with none) is written once.
BOOST_AUTO_TEST_CASE(text_line_names_the_host_by_hostname_then_short_id) {
    TerminalLogOptions o;
    o.color = false;
    o.out = o.err = nullptr;
    TerminalLog log(o);
    auto l = line("3d1219c7c4c5404aaa1f6d2a48adfda4", 20);
    l.hostname = "db-eu-3";
    auto text = log.format_sample(l);
    BOOST_TEST(text.find(" db-eu-3 (3d1219c7c4c5) ") != std::string::npos, text);
    BOOST_TEST(text.find("3d1219c7c4c54") == std::string::npos, text);
    l.hostname = l.host_id = "web-1";
    text = log.format_sample(l);
    BOOST_TEST(text.find(" web-1 ") != std::string::npos, text);
    BOOST_TEST(text.find("(web-1)") == std::string::npos, text);
    // A cut never splits a UTF-8 character: the 12th byte here is inside "é".
    l.host_id = "hôte-12345Ã©z";
    l.hostname = "h";
    text = log.format_sample(l);
    BOOST_TEST(text.find(" h (hôte-12345) ") != std::string::npos, text);
    // JSON lines carry both whole.
    o.format = LogFormat::json;
    TerminalLog json_log(o);
    l.host_id = "3d1219c7c4c5404aaa1f6d2a48adfda4";
    l.hostname = "db-eu-3";
    auto j = nlohmann::json::parse(json_log.format_sample(l));
    BOOST_TEST(j["host_id"] == l.host_id);
    BOOST_TEST(j["hostname"] == "db-eu-3");
}

BOOST_AUTO_TEST_CASE(colour_only_when_asked) {
    TerminalLogOptions o;
    o.color = true;
    o.out = o.err = nullptr;
    TerminalLog log(o);
    BOOST_TEST(log.format_sample(line("web-1", 95)).find("\x1b[1;31m") != std::string::npos);
    BOOST_TEST(log.format_sample(line("web-1", 5)).find("\x1b[") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_lines_and_min_cpu_filter) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        TerminalLogOptions o;
        o.format = LogFormat::json;
        o.min_cpu = 50;
        o.out = out;
        o.err = err;
        TerminalLog log(o);
        log.sample(line("cool", 10));
        log.sample(line("warm", 60));
        log.event("agent connected");
    }  // the destructor writes what is queued
    auto text = contents(out);
    BOOST_TEST(text.find("cool") == std::string::npos);
    auto j = nlohmann::json::parse(text.substr(0, text.find('\n')));
    BOOST_TEST(j["host_id"] == "warm");
    BOOST_TEST(j["hot"] == false);
    BOOST_TEST(contents(err).find("agent connected") != std::string::npos);
    std::fclose(out);
    std::fclose(err);
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_counts) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        TerminalLogOptions o;
        o.queue_limit = 4;
        o.out = out;
        o.err = err;
        TerminalLog log(o);
        for (int i = 0; i < 20000; ++i) log.sample(line("h" + std::to_string(i), 1));
        BOOST_TEST(log.dropped() > 0u);
        BOOST_TEST(telehub::test::wait_until([&] { return contents(err).find("lines dropped") != std::string::npos; }, 3s));
    }
    std::fclose(out);
    std::fclose(err);
}

BOOST_AUTO_TEST_CASE(quiet_logs_no_samples_but_events) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        TerminalLogOptions o;
        o.quiet = true;
        o.out = out;
        o.err = err;
        TerminalLog log(o);
        log.sample(line("h", 99));
        log.event("refused frame");
    }
    BOOST_TEST(contents(out).empty());
    BOOST_TEST(contents(err).find("refused frame") != std::string::npos);
    std::fclose(out);
    std::fclose(err);
}

namespace {

std::size_t count_of(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(past_the_rate_a_second_becomes_one_summary_line) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        TerminalLogOptions o;
        o.max_lines_per_s = 3;
        o.out = out;
        o.err = err;
        TerminalLog log(o);
        // Ten samples within one (long past) second; the hottest is the eighth.
        for (int i = 0; i < 10; ++i) {
            auto l = line("h" + std::to_string(i), i == 7 ? 97.5 : 10.0 + i);
            l.ts_ms = 1763800000000 + i * 10;
            if (i == 7) l.hostname = "batch-7";
            log.sample(std::move(l));
        }
        BOOST_TEST(telehub::test::wait_until([&] { return contents(out).find("fleet:") != std::string::npos; }, 3s));
    }
    auto text = contents(out);
    BOOST_TEST(count_of(text, " cpu ") == 3u);  // h0..h2 only
    BOOST_TEST(text.find("h3 ") == std::string::npos);
    BOOST_TEST(count_of(text, "fleet:") == 1u);
    BOOST_TEST(text.find("10 samples in this second, 7 not shown (over --log-rate 3/s)") != std::string::npos);
    BOOST_TEST(text.find("HOT 1") != std::string::npos);
    BOOST_TEST(text.find("hottest batch-7 (h7) 97.5%") != std::string::npos, text);
    std::fclose(out);
    std::fclose(err);
}

BOOST_AUTO_TEST_CASE(each_second_has_its_own_budget_and_json_summary) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        TerminalLogOptions o;
        o.format = LogFormat::json;
        o.max_lines_per_s = 2;
        o.out = out;
        o.err = err;
        TerminalLog log(o);
        for (int second = 0; second < 2; ++second)
            for (int i = 0; i < 5; ++i) {
                auto l = line("s" + std::to_string(second) + "-" + std::to_string(i), 20);
                l.ts_ms = 1763800000000 + second * 1000 + i;
                log.sample(std::move(l));
            }
    }  // stopping writes the last second's summary too
    auto text = contents(out);
    std::size_t lines = 0, summaries = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        auto end = text.find('\n', pos);
        auto j = nlohmann::json::parse(text.substr(pos, end - pos));
        ++lines;
        if (j.contains("summary")) {
            ++summaries;
            BOOST_TEST(j["summary"]["samples"] == 5);
            BOOST_TEST(j["summary"]["not_shown"] == 3);
            BOOST_TEST(j["summary"]["hot"] == 0);
        }
        pos = end + 1;
    }
    BOOST_TEST(lines == 6u);  // 2 lines + 1 summary, twice
    BOOST_TEST(summaries == 2u);
    std::fclose(out);
    std::fclose(err);
}

BOOST_AUTO_TEST_CASE(rate_zero_logs_every_sample_without_summaries) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        TerminalLogOptions o;
        o.max_lines_per_s = 0;
        o.out = out;
        o.err = err;
        TerminalLog log(o);
        for (int i = 0; i < 500; ++i) log.sample(line("h" + std::to_string(i), 5));
    }
    auto text = contents(out);
    BOOST_TEST(count_of(text, " cpu ") == 500u);
    BOOST_TEST(text.find("fleet:") == std::string::npos);
    std::fclose(out);
    std::fclose(err);
}

// A process name, host id or request path is chosen by whoever runs the
// process, the agent or the request: its control bytes (ESC, BEL) are
// written as \xNN, so only the hub's own colour codes reach the terminal.
BOOST_AUTO_TEST_CASE(control_bytes_from_agents_and_peers_never_reach_the_terminal) {
    TerminalLogOptions o;
    o.color = true;
    o.out = o.err = nullptr;
    TerminalLog log(o);
    auto l = line("web\x1b]0;owned\x07", 95);
    l.top_name = "evil\x1b[2J\x7f";
    auto text = log.format_sample(l);
    auto own = text;
    for (std::string code : {"\x1b[1;31m", "\x1b[0m"})
        if (auto at = own.find(code); at != std::string::npos) own.erase(at, code.size());
    BOOST_TEST(own.find('\x1b') == std::string::npos, text);
    BOOST_TEST(text.find('\x07') == std::string::npos);
    BOOST_TEST(text.find('\x7f') == std::string::npos);
    BOOST_TEST(text.find("web\\x1b]0;owned\\x07") != std::string::npos, text);
    BOOST_TEST(text.find("evil\\x1b[2J\\x7f") != std::string::npos, text);

    auto event = log.format_event(1763800000123, "refused GET /a\x1b[2J\tb from 127.0.0.1");
    BOOST_TEST(event.find('\x1b') == std::string::npos);
    BOOST_TEST(event.find("/a\\x1b[2J\\x09b from") != std::string::npos, event);
    BOOST_TEST(event.back() == '\n');
    BOOST_TEST(event.find('\n') == event.size() - 1);
}

// Paths and header values need not be UTF-8: a JSON line still parses, with
// U+FFFD where a byte was not UTF-8, and the log thread goes on.
BOOST_AUTO_TEST_CASE(json_lines_stay_json_when_a_path_or_name_is_not_utf8) {
    TerminalLogOptions o;
    o.format = LogFormat::json;
    o.out = o.err = nullptr;
    TerminalLog log(o);
    auto event = nlohmann::json::parse(log.format_event(1763800000123, "refused GET /api/\xff\xfe from 127.0.0.1"));
    BOOST_TEST(event["event"] == "refused GET /api/\xef\xbf\xbd\xef\xbf\xbd from 127.0.0.1");
    auto l = line("web-\xc3", 10);
    l.top_name = "x\x1b";
    auto sample = nlohmann::json::parse(log.format_sample(l));
    BOOST_TEST(sample["host_id"] == "web-\xef\xbf\xbd");
    BOOST_TEST(sample["top"]["name"] == "x\x1b");  // JSON escapes it: \u001b
}
