#include "hub/alerts/alerts.hpp"

#define BOOST_TEST_MODULE rules_file
#include <boost/test/unit_test.hpp>

#include <string>

using namespace telehub::hub;

namespace {

const char* good = R"(
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
}

BOOST_AUTO_TEST_CASE(writes_back_what_it_reads) {
    RulesParse p = parse(good);
    BOOST_TEST_REQUIRE(p.ok(), p.error);
    RulesParse again = parse_rules(rules_to_toml(p.rules), "written");
    BOOST_TEST_REQUIRE(again.ok(), again.error << "\n" << rules_to_toml(p.rules));
    BOOST_TEST((again.rules == p.rules));
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
    };
    for (const Case& c : cases) {
        RulesParse p = parse(c.text);
        BOOST_TEST(!p.ok(), "accepted:\n" << c.text);
        BOOST_TEST(p.error.find(c.want) != std::string::npos, "error '" << p.error << "' lacks '" << c.want << "'");
        BOOST_TEST(p.field == c.field, p.error);
        BOOST_TEST(p.rules.empty());
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
