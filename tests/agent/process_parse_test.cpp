#include "agent/process_parse.hpp"

#define BOOST_TEST_MODULE process_parse
#include <boost/test/unit_test.hpp>

#include <string>

#include "agent/proc_file.hpp"

using namespace telehub::agent;

namespace {

std::string fixture(const std::string& name) {
    std::string text;
    BOOST_REQUIRE(read_file(std::string(TELEHUB_TEST_DATA) + "/proc/" + name, text));
    return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(comm_with_parenthesis_and_spaces) {
    std::string text = fixture("4242/stat");
    auto st = parse_pid_stat(text);
    BOOST_REQUIRE(st);
    BOOST_TEST(st->pid == 4242);
    BOOST_TEST(st->comm == "my ) (odd name");
    BOOST_TEST(st->state == 'R');
    BOOST_TEST(st->ppid == 1);
    BOOST_TEST(st->utime == 1500u);
    BOOST_TEST(st->stime == 250u);
    BOOST_TEST(st->nice == 5);
    BOOST_TEST(st->num_threads == 4u);
    BOOST_TEST(st->starttime == 90210u);
    BOOST_TEST(st->rss_pages == 2048u);
    BOOST_TEST(!st->kernel_thread());
}

BOOST_AUTO_TEST_CASE(comm_ending_in_parenthesis) {
    auto st = parse_pid_stat("5 (a)) S 1 5 5 0 -1 0 0 0 0 0 3 4 0 0 20 -2 1 0 77 0 9 0\n");
    BOOST_REQUIRE(st);
    BOOST_TEST(st->comm == "a)");
    BOOST_TEST(st->utime == 3u);
    BOOST_TEST(st->nice == -2);
    BOOST_TEST(st->rss_pages == 9u);
}

BOOST_AUTO_TEST_CASE(kernel_thread_and_zombie) {
    std::string kt = fixture("2/stat");
    auto k = parse_pid_stat(kt);
    BOOST_REQUIRE(k);
    BOOST_TEST(k->comm == "kthreadd");
    BOOST_TEST(k->kernel_thread());
    std::string zt = fixture("777/stat");
    auto z = parse_pid_stat(zt);
    BOOST_REQUIRE(z);
    BOOST_TEST(z->state == 'Z');
    BOOST_TEST(!z->kernel_thread());
}

BOOST_AUTO_TEST_CASE(empty_and_truncated_stat) {
    BOOST_TEST(!parse_pid_stat(""));
    BOOST_TEST(!parse_pid_stat(fixture("888/stat")));
    BOOST_TEST(!parse_pid_stat(fixture("999/stat")));
    // Every cut up to and including the rss digits must fail.
    std::string text = fixture("4242/stat");
    std::size_t rss_end = text.find(" 2048 ") + 5;
    for (std::size_t len = 0; len <= rss_end; ++len)
        BOOST_TEST(!parse_pid_stat(std::string_view(text).substr(0, len)), "cut at " << len);
    BOOST_TEST(parse_pid_stat(std::string_view(text).substr(0, rss_end + 1)).has_value());
}

BOOST_AUTO_TEST_CASE(malformed_stat) {
    BOOST_TEST(!parse_pid_stat("5 (a S 1 5 5 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 77 0 9 0\n"));   // no ')'
    BOOST_TEST(!parse_pid_stat("5 (a) S 1 5 5 0 -1 0 0 0 0 0 x 4 0 0 20 0 1 0 77 0 9 0\n"));  // utime
    BOOST_TEST(!parse_pid_stat("x (a) S 1 5 5 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 77 0 9 0\n"));  // pid
    BOOST_TEST(!parse_pid_stat("5 (a) S 1 5 5 0 -1 0 0 0 0 0 -3 4 0 0 20 0 1 0 77 0 9 0\n")); // negative ticks
}

BOOST_AUTO_TEST_CASE(negative_rss_reads_as_zero) {
    auto st = parse_pid_stat("5 (a) S 1 5 5 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 77 0 -3 0\n");
    BOOST_REQUIRE(st);
    BOOST_TEST(st->rss_pages == 0u);
}

BOOST_AUTO_TEST_CASE(status_real_uid) {
    BOOST_TEST(parse_status_uid(fixture("4242/status")).value_or(1) == 4000000123u);
    BOOST_TEST(parse_status_uid(fixture("1/status")).value_or(1) == 0u);
    BOOST_TEST(parse_status_uid("Uid:\t1000\t0\t0\t0\n").value_or(0) == 1000u);  // real, not effective
    BOOST_TEST(!parse_status_uid(""));
    BOOST_TEST(!parse_status_uid("Name:\tx\nGid:\t0\t0\t0\t0\n"));
    BOOST_TEST(!parse_status_uid("Name:\tx\nUid:\t10"));  // cut: could have been 1000
    BOOST_TEST(!parse_status_uid("Name:\tx\nUid:\tabc\n"));
}

BOOST_AUTO_TEST_CASE(cmdline_joined_by_spaces) {
    BOOST_TEST(format_cmdline(fixture("4242/cmdline")) == "/usr/bin/odd --flag value with space");
    BOOST_TEST(format_cmdline(fixture("777/cmdline")).empty());
    BOOST_TEST(format_cmdline(std::string_view("a\0b\0\0", 5)) == "a b");
}

BOOST_AUTO_TEST_CASE(cmdline_cut_to_256_bytes_on_a_character_boundary) {
    std::string raw(300, 'x');
    raw[10] = '\0';
    BOOST_TEST(format_cmdline(raw).size() == kCmdlineMax);
    BOOST_TEST(format_cmdline(raw)[10] == ' ');
    std::string utf8(255, 'a');
    utf8 += "\xc3\xa9tail";  // U+00E9 straddles byte 256
    std::string out = format_cmdline(utf8);
    BOOST_TEST(out.size() == 255u);
    BOOST_TEST(out == std::string(255, 'a'));
}

BOOST_AUTO_TEST_CASE(cmdline_output_reuses_buffer) {
    std::string out = "previous contents that are longer";
    format_cmdline(std::string_view("ls\0-l\0", 6), out);
    BOOST_TEST(out == "ls -l");
}
