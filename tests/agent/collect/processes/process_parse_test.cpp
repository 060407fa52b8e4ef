#include "agent/collect/processes/process_parse.hpp"

#define BOOST_TEST_MODULE process_parse
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "agent/collect/proc/proc_file.hpp"

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

BOOST_AUTO_TEST_CASE(stat_terminal_and_virtual_size) {
    std::string text = fixture("4242/stat");
    auto st = parse_pid_stat(text);
    BOOST_REQUIRE(st);
    BOOST_TEST(st->tty_nr == 34817u);  // major 136, minor 1: /dev/pts/1
    BOOST_TEST(st->vsize == 12345678u);
    auto k = parse_pid_stat(fixture("2/stat"));
    BOOST_REQUIRE(k);
    BOOST_TEST(k->tty_nr == 0u);
    BOOST_TEST(k->vsize == 0u);
}

BOOST_AUTO_TEST_CASE(status_ids_and_context_switches) {
    auto ids = parse_status_ids(fixture("4242/status"));
    BOOST_REQUIRE(ids);
    BOOST_TEST(ids->uids.real == 4000000123u);
    BOOST_TEST(ids->uids.effective == 4000000123u);
    BOOST_TEST(ids->gids.saved == 4000000123u);
    BOOST_REQUIRE(ids->voluntary_ctxt_switches);
    BOOST_TEST(*ids->voluntary_ctxt_switches == 120u);
    BOOST_REQUIRE(ids->nonvoluntary_ctxt_switches);
    BOOST_TEST(*ids->nonvoluntary_ctxt_switches == 7u);

    // A setuid program: real, effective and saved differ, in that order.
    auto su = parse_status_ids("Name:\tsu\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n");
    BOOST_REQUIRE(su);
    BOOST_TEST(su->uids.real == 1000u);
    BOOST_TEST(su->uids.effective == 0u);
    BOOST_TEST(su->uids.saved == 0u);
    BOOST_TEST(su->gids.real == 1000u);
    // The recorded zombie has no context switch lines: unknown, not zero.
    auto z = parse_status_ids(fixture("777/status"));
    BOOST_REQUIRE(z);
    BOOST_TEST(!z->voluntary_ctxt_switches);
}

BOOST_AUTO_TEST_CASE(status_ids_refuse_missing_or_cut_lines) {
    BOOST_TEST(!parse_status_ids("Name:\tx\nUid:\t1\t2\t3\t4\n"));             // no Gid
    BOOST_TEST(!parse_status_ids("Uid:\t1\t2\nGid:\t1\t2\t3\t4\n"));           // two numbers
    BOOST_TEST(!parse_status_ids("Uid:\t1\t2\t3\t4\nGid:\t1\t2\t3"));          // cut before the newline
    BOOST_TEST(!parse_status_ids("Uid:\tx\t2\t3\t4\nGid:\t1\t2\t3\t4\n"));
    // "PPid:" must not be taken for a shorter key, nor "Uidx:" for "Uid:".
    BOOST_TEST(!parse_status_ids("Uidx:\t1\t2\t3\t4\nGid:\t1\t2\t3\t4\n"));
    auto cut = parse_status_ids("Uid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\nvoluntary_ctxt_switches:\t12");
    BOOST_REQUIRE(cut);
    BOOST_TEST(!cut->voluntary_ctxt_switches);  // cut mid-number: could be 123
}

BOOST_AUTO_TEST_CASE(status_names_are_psutils) {
    BOOST_TEST(process_status_name('R') == "running");
    BOOST_TEST(process_status_name('S') == "sleeping");
    BOOST_TEST(process_status_name('D') == "disk-sleep");
    BOOST_TEST(process_status_name('T') == "stopped");
    BOOST_TEST(process_status_name('t') == "tracing-stop");
    BOOST_TEST(process_status_name('Z') == "zombie");
    BOOST_TEST(process_status_name('X') == "dead");
    BOOST_TEST(process_status_name('I') == "idle");
    BOOST_TEST(process_status_name('?') == "unknown");
}

BOOST_AUTO_TEST_CASE(cmdline_splits_into_arguments) {
    auto args = split_cmdline(fixture("4242/cmdline"));
    BOOST_TEST((args == std::vector<std::string>{"/usr/bin/odd", "--flag", "value with space"}));
    BOOST_TEST(split_cmdline("").empty());
    BOOST_TEST(split_cmdline(std::string("\0\0", 2)).empty());
    // An empty argument in the middle is kept.
    BOOST_TEST((split_cmdline(std::string("a\0\0b\0", 5)) == std::vector<std::string>{"a", "", "b"}));
    // A process that rewrote its argv as one string (nginx: master process ...).
    BOOST_TEST((split_cmdline("nginx: master process") == std::vector<std::string>{"nginx: master process"}));
}
