#include "hub/metrics/cluster_metrics.hpp"
#include "hub/metrics/exposition.hpp"

#define BOOST_TEST_MODULE exposition
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

using namespace telehub::hub;

BOOST_AUTO_TEST_CASE(label_values_escape_backslash_quote_and_newline_only) {
    std::string out;
    append_label_value(out, "a\\b\"c\nd\te/f\xc3\xa9");
    BOOST_TEST(out == "a\\\\b\\\"c\\nd\te/f\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(help_text_escapes_backslash_and_newline_but_not_quotes) {
    std::string out;
    append_help_text(out, "say \"hi\"\\\nnext");
    BOOST_TEST(out == "say \"hi\"\\\\\\nnext");
}

BOOST_AUTO_TEST_CASE(numbers_are_exact_and_special_values_use_the_format_spelling) {
    auto num = [](auto v) {
        std::string out;
        append_number(out, v);
        return out;
    };
    BOOST_TEST(num(0.25) == "0.25");
    BOOST_TEST(num(1e-7) == "1e-07");
    BOOST_TEST(num(std::uint64_t{18446744073709551615ULL}) == "18446744073709551615");
    BOOST_TEST(num(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    BOOST_TEST(num(std::numeric_limits<double>::infinity()) == "+Inf");
    BOOST_TEST(num(-std::numeric_limits<double>::infinity()) == "-Inf");
}

BOOST_AUTO_TEST_CASE(names_follow_the_data_model) {
    BOOST_TEST(valid_metric_name("telehub_host_cpu_ratio"));
    BOOST_TEST(valid_metric_name("job:rate5m"));
    BOOST_TEST(!valid_metric_name("9lives"));
    BOOST_TEST(!valid_metric_name("cpu-ratio"));
    BOOST_TEST(!valid_metric_name(""));
    BOOST_TEST(valid_label_name("hostname"));
    BOOST_TEST(!valid_label_name("host:name"));
    BOOST_TEST(!valid_label_name("__name__"));
}

BOOST_AUTO_TEST_CASE(a_family_writes_help_type_then_its_samples) {
    std::string out;
    Exposition x(out);
    x.family("demo_sockets", MetricType::gauge, "Sockets\nper state.");
    const auto labels = label_list({{"host", "h\"1"}, {"hostname", "a\\b"}});
    x.sample("demo_sockets", labels, {"state", "LISTEN"}, std::uint32_t{3});
    x.family("demo_total", MetricType::counter, "A counter.");
    x.sample("demo_total", {}, 1.5);
    x.sample("demo_total", {}, {"reason", "x"}, 2);
    BOOST_TEST(out ==
               "# HELP demo_sockets Sockets\\nper state.\n"
               "# TYPE demo_sockets gauge\n"
               "demo_sockets{host=\"h\\\"1\",hostname=\"a\\\\b\",state=\"LISTEN\"} 3\n"
               "# HELP demo_total A counter.\n"
               "# TYPE demo_total counter\n"
               "demo_total 1.5\n"
               "demo_total{reason=\"x\"} 2\n");
}

BOOST_AUTO_TEST_CASE(the_cluster_families_list_every_peer_with_its_name_escaped) {
    std::string out;
    append_cluster_metrics(out, {true, {{"hub-b", 3000, true, 0.4}, {"odd\"name", 0, false, 12.0}}});
    BOOST_TEST(out.find("# TYPE telehub_cluster_up gauge\ntelehub_cluster_up 1\n") != std::string::npos, out);
    BOOST_TEST(out.find("telehub_cluster_peer_hosts{hub=\"hub-b\"} 3000\n") != std::string::npos, out);
    BOOST_TEST(out.find("telehub_cluster_peer_live{hub=\"odd\\\"name\"} 0\n") != std::string::npos, out);
    BOOST_TEST(out.find("telehub_cluster_peer_age_seconds{hub=\"hub-b\"} 0.4\n") != std::string::npos, out);
    std::string down;
    append_cluster_metrics(down, {});
    BOOST_TEST(down.find("telehub_cluster_up 0\n") != std::string::npos, down);
    BOOST_TEST(down.find("telehub_cluster_peer_hosts{") == std::string::npos);
}
