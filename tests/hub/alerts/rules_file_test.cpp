#include "hub/alerts/alerts.hpp"

#define BOOST_TEST_MODULE rules_file
#include <boost/test/unit_test.hpp>

#include <string>

using namespace telehub::hub;

namespace {

const char* good = R"(
[[notification]]
name = "ops"
type = "webhook"
url = "https://hooks.example.net:8443/telehub?team=ops"
secret = "s3cret"
timeout = 5
retry_for = 120
retry_max_delay = 10

[[notification]]
name = "chat"
type = "slack"
url = "http://127.0.0.1:9/services/T/B/X"

[[notification]]
name = "pager"
type = "command"
command = ["/usr/local/bin/page", "--team", "ops"]

[[rule]]
name = "web-cpu"
hosts = "web-*"
metric = "cpu.total"
op = ">="
threshold = 90
clear = 80
for = 60
severity = "critical"
notify = ["ops", "chat"]

[[rule]]
name = "nginx-close-wait"
metric = "process.tcp.CLOSE_WAIT"
process = "nginx"
threshold = 100
notify = ["pager"]
group = 0

[[rule]]
name = "memory-low"
metric = "mem.available_pct"
op = "<"
threshold = 10
clear = 15
)";

RulesParse parse(const std::string& text) { return parse_rules(text, "rules.toml"); }

}  // namespace

BOOST_AUTO_TEST_CASE(reads_every_field) {
    RulesParse p = parse(good);
    BOOST_TEST_REQUIRE(p.ok(), p.error);
    BOOST_TEST_REQUIRE(p.rules.size() == 3u);
    const AlertRule& cpu = p.rules[0];
    BOOST_TEST(cpu.name == "web-cpu");
    BOOST_TEST(cpu.hosts == "web-*");
    BOOST_TEST((cpu.metric == AlertMetric::cpu_total));
    BOOST_TEST((cpu.comparison == AlertComparison::at_least));
    BOOST_TEST(cpu.threshold == 90);
    BOOST_TEST(cpu.clear == 80);
    BOOST_TEST(cpu.for_seconds == 60);
    BOOST_TEST((cpu.severity == AlertSeverity::critical));
    BOOST_TEST(cpu.notify == (std::vector<std::string>{"ops", "chat"}), "notify");
    const AlertRule& nginx = p.rules[1];
    BOOST_TEST((nginx.metric == AlertMetric::process_sockets));
    BOOST_TEST(nginx.tcp_state == telehub::tcp_close_wait);
    BOOST_TEST(nginx.process == "nginx");
    BOOST_TEST(nginx.clear == 100);  // the threshold when not given
    BOOST_TEST(nginx.hosts == "*");
    BOOST_TEST((p.rules[2].comparison == AlertComparison::below));
    BOOST_TEST(cpu.group_seconds == 2);  // the default
    BOOST_TEST(nginx.group_seconds == 0);

    BOOST_TEST_REQUIRE(p.targets.size() == 3u);
    const NotifyTarget& ops = p.targets[0];
    BOOST_TEST((ops.kind == NotifyKind::webhook));
    BOOST_TEST(ops.secret == "s3cret");
    BOOST_TEST(ops.timeout_s == 5);
    BOOST_TEST(ops.retry_for_s == 120);
    BOOST_TEST(ops.retry_max_delay_s == 10);
    BOOST_TEST((p.targets[1].kind == NotifyKind::slack));
    BOOST_TEST(p.targets[1].retry_for_s == 600);  // the default
    BOOST_TEST(p.targets[2].command == (std::vector<std::string>{"/usr/local/bin/page", "--team", "ops"}));
    auto url = parse_http_url(ops.url);
    BOOST_TEST_REQUIRE(url.has_value());
    BOOST_TEST(url->tls);
    BOOST_TEST(url->host == "hooks.example.net");
    BOOST_TEST(url->port == 8443);
    BOOST_TEST(url->target == "/telehub?team=ops");
}

BOOST_AUTO_TEST_CASE(urls) {
    auto plain = parse_http_url("http://[::1]/hook");
    BOOST_TEST_REQUIRE(plain.has_value());
    BOOST_TEST(plain->host == "::1");
    BOOST_TEST(plain->port == 80);
    BOOST_TEST(!plain->tls);
    BOOST_TEST(parse_http_url("http://h")->target == "/");
    for (const char* bad : {"ftp://h/", "http://", "http://:80/", "http://h:0/", "http://h:99999/", "http://u:p@h/", "h/x"})
        BOOST_TEST(!parse_http_url(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(writes_back_what_it_reads) {
    RulesParse p = parse(good);
    BOOST_TEST_REQUIRE(p.ok(), p.error);
    RulesParse again = parse_rules(rules_to_toml(p.rules, p.targets), "written");
    BOOST_TEST_REQUIRE(again.ok(), again.error << "\n" << rules_to_toml(p.rules, p.targets));
    BOOST_TEST((again.rules == p.rules));
    BOOST_TEST((again.targets == p.targets));
}

BOOST_AUTO_TEST_CASE(an_empty_file_has_no_rules) {
    RulesParse p = parse("# nothing yet\n");
    BOOST_TEST(p.ok(), p.error);
    BOOST_TEST(p.rules.empty());
}

// Each bad rule: the error names the file, the line and column of the field,
// the rule and the field.
BOOST_AUTO_TEST_CASE(every_error_names_its_line_and_field) {
    struct Case {
        std::string text;
        std::string want;  // a substring of the error
        std::string field;
    };
    const std::string head = "[[rule]]\nname = \"r\"\n";  // lines 1-2
    const Case cases[] = {
        {head + "metric = \"cpu.totl\"\nthreshold = 1\n", "rules.toml:3:10: rule 'r': metric: unknown metric 'cpu.totl'", "metric"},
        {head + "metric = \"cpu.total\"\n", "rules.toml:1:1: rule 'r': threshold: missing", "threshold"},
        {head + "metric = \"cpu.total\"\nthreshold = \"high\"\n", "rules.toml:4:13: rule 'r': threshold: must be a number", "threshold"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\nclear = 95\n", "rules.toml:5:9: rule 'r': clear: must be on the good side", "clear"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\nop = \"=>\"\n", "rules.toml:5:6: rule 'r': op: must be one of", "op"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\nfor = -1\n", "rules.toml:5:7: rule 'r': for: must be 0 to 86400", "for"},
        // An integer no double holds exactly is still a number, out of range.
        {head + "metric = \"cpu.total\"\nthreshold = 90\nfor = 99999999999999999\n", "rules.toml:5:7: rule 'r': for: must be 0 to 86400", "for"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\nseverity = \"loud\"\n", "rules.toml:5:12: rule 'r': severity:", "severity"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\nnotify = \"ops\"\n", "rules.toml:5:10: rule 'r': notify: must be an array", "notify"},
        {head + "metric = \"process.cpu\"\nthreshold = 90\n", "rule 'r': process: missing", "process"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\nprocess = \"x\"\n", "rules.toml:5:11: rule 'r': process: only process.*", "process"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\ncolour = 1\n", "rule 'r': colour: unknown field", "colour"},
        {head + "metric = \"tcp.OPEN\"\nthreshold = 9\n", "rules.toml:3:10: rule 'r': metric: unknown metric 'tcp.OPEN'", "metric"},
        {"[[rule]]\nname = \"bad name!\"\nmetric = \"cpu.total\"\nthreshold = 1\n", "rules.toml:2:8: rule 'bad name!': name:", "name"},
        {"[[rule]]\nmetric = \"cpu.total\"\nthreshold = 1\n", "rules.toml:1:1: rule: name: missing", "name"},
        {head + "metric = \"cpu.total\"\nthreshold = 1\n" + head + "metric = \"load1\"\nthreshold = 4\n",
         "rules.toml:6:8: rule 'r': name: a second rule named 'r'", "name"},
        {"high = 3\n", "rules.toml:1:8: unknown top-level key 'high'", "high"},
        {"[[rule]\nname = 1\n", "rules.toml:1:", ""},
        // Where toml++ 3.3 would reach undefined behaviour (telehub/toml_text_check.hpp).
        {"[[rule]]\nname \xc3\xa9= \"r\"\n", "rules.toml:2:6: a character outside ASCII outside any string", ""},
        {head + "metric = \"cpu.total\"\nthreshold = 1\ndescription = \"\"\"\\\n\xc2\xa7\"\"\"\n",
         "rules.toml:6:1: a character outside ASCII first after a line-ending backslash", ""},
        // A quote where no string may start: toml++ would look at the 'é' the scan took for string content.
        {"[[rule]]\nname = 2\"\xc3\xa9\"\n", "rules.toml:2:9: Error while parsing", ""},
        {head + "metric = \"cpu.total\"\nthreshold = 90\nnotify = [\"ops\"]\n",
         "rules.toml:5:10: rule 'r': notify: no [[notification]] named 'ops'", "notify"},
        {head + "metric = \"cpu.total\"\nthreshold = 90\ngroup = 301\n", "rules.toml:5:9: rule 'r': group: must be 0 to 300", "group"},
    };
    for (const Case& c : cases) {
        RulesParse p = parse(c.text);
        BOOST_TEST(!p.ok(), "accepted:\n" << c.text);
        BOOST_TEST(p.error.find(c.want) != std::string::npos, "error '" << p.error << "' lacks '" << c.want << "'");
        BOOST_TEST(p.field == c.field, p.error);
        BOOST_TEST(p.rules.empty());
    }
}

BOOST_AUTO_TEST_CASE(every_notification_error_names_its_line_and_field) {
    struct Case {
        std::string text;
        std::string want;
        std::string field;
    };
    const std::string head = "[[notification]]\nname = \"n\"\n";  // lines 1-2
    const Case cases[] = {
        {head + "type = \"email\"\n", "rules.toml:3:8: notification 'n': type: must be webhook, slack or command", "type"},
        {head + "type = \"webhook\"\n", "rules.toml:1:1: notification 'n': url: missing", "url"},
        {head + "type = \"webhook\"\nurl = \"ftp://x/\"\n", "rules.toml:4:7: notification 'n': url: must be an http", "url"},
        {head + "type = \"slack\"\nurl = \"http://x/\"\nsecret = \"k\"\n", "rules.toml:5:10: notification 'n': secret: only webhook", "secret"},
        {head + "type = \"command\"\n", "notification 'n': command: missing", "command"},
        {head + "type = \"command\"\ncommand = []\n", "rules.toml:4:11: notification 'n': command: must be a non-empty", "command"},
        {head + "type = \"command\"\ncommand = [\"x\"]\nurl = \"http://x/\"\n", "notification 'n': url: only webhook and slack", "url"},
        {head + "type = \"webhook\"\nurl = \"http://x/\"\ntimeout = 0\n", "rules.toml:5:11: notification 'n': timeout: must be a number of seconds", "timeout"},
        {head + "type = \"webhook\"\nurl = \"http://x/\"\nretry_for = \"long\"\n", "notification 'n': retry_for: must be", "retry_for"},
        {head + "type = \"webhook\"\nurl = \"http://x/\"\nsecret_file = \"/nonexistent/telehub-secret\"\n",
         "rules.toml:5:15: notification 'n': secret_file: cannot read a secret from /nonexistent/telehub-secret", "secret_file"},
        {head + "type = \"webhook\"\nurl = \"http://x/\"\nca_file = \"/etc/ssl/x.pem\"\n", "notification 'n': ca_file: only https://", "ca_file"},
        {head + "type = \"webhook\"\nurl = \"http://x/\"\ncolour = 1\n", "notification 'n': colour: unknown field", "colour"},
        {head + "type = \"webhook\"\nurl = \"http://x/\"\n" + head + "type = \"slack\"\nurl = \"http://y/\"\n",
         "rules.toml:6:8: notification 'n': name: a second notification named 'n'", "name"},
        {"notification = 3\n", "rules.toml:1:16: 'notification' must be [[notification]] tables", "notification"},
    };
    for (const Case& c : cases) {
        RulesParse p = parse(c.text);
        BOOST_TEST(!p.ok(), "accepted:\n" << c.text);
        BOOST_TEST(p.error.find(c.want) != std::string::npos, "error '" << p.error << "' lacks '" << c.want << "'");
        BOOST_TEST(p.field == c.field, p.error);
        BOOST_TEST(p.targets.empty());
    }
}

BOOST_AUTO_TEST_CASE(defaults_follow_high_cpu) {
    auto rules = default_rules(75);
    BOOST_TEST_REQUIRE(rules.size() == 3u);
    BOOST_TEST(rules[0].threshold == 75);
    BOOST_TEST(rules[0].for_seconds == 60);
    BOOST_TEST((rules[1].metric == AlertMetric::offline));
    BOOST_TEST(rules[1].for_seconds == 30);
    BOOST_TEST((rules[2].metric == AlertMetric::leak_suspects));
    BOOST_TEST(rules[2].for_seconds == 60);
    // and they round-trip through a rules file, so PUT /api/rules can start from them
    RulesParse again = parse_rules(rules_to_toml(rules), "defaults");
    BOOST_TEST_REQUIRE(again.ok(), again.error);
    BOOST_TEST((again.rules == rules));
}

BOOST_AUTO_TEST_CASE(globs) {
    BOOST_TEST(glob_match("*", ""));
    BOOST_TEST(glob_match("web-*", "web-01"));
    BOOST_TEST(!glob_match("web-*", "db-01"));
    BOOST_TEST(glob_match("web-??", "web-01"));
    BOOST_TEST(!glob_match("web-??", "web-1"));
    BOOST_TEST(glob_match("*-01*", "web-01.example"));
    BOOST_TEST(glob_match("a*b*c", "axxbyyc"));
    BOOST_TEST(!glob_match("a*b*c", "axxbyy"));
}
