#include "hub/metrics/metrics_body.hpp"

#define BOOST_TEST_MODULE metrics_body
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <sstream>

#include "hub/metrics/exposition.hpp"

using namespace telehub;
using namespace telehub::hub;

namespace {

Hello hello(std::string id, std::string hostname) {
    Hello h;
    h.protocol = 1;
    h.host_id = std::move(id);
    h.hostname = std::move(hostname);
    h.cores = 4;
    h.interval_ms = 1000;
    h.instance = 7;
    return h;
}

Sample sample(std::string id, std::uint64_t seq) {
    Sample s;
    s.host_id = std::move(id);
    s.seq = seq;
    s.ts_ms = 1'763'000'000'000 + static_cast<std::int64_t>(seq) * 1000;
    s.interval_ms = 1000;
    s.cpu = {35, 20, 10, 4, 1, {35, 35, 35, 35}};
    s.load = {1.5, 1.25, 0.75};
    s.mem = {8'000'000'000, 3'000'000'000};
    s.procs = {212, 3};
    s.sockets.tcp[tcp_established] = 12;
    s.sockets.tcp[tcp_close_wait] = 2;
    s.sockets.udp = 4;
    s.sockets.unix_ = 30;
    s.sockets.churn.exact = true;
    s.sockets.churn.tcp_active_opens = 5;
    s.sockets.churn.tcp_passive_opens = 3;
    s.leaks = {LeakSuspect{99, "leaky", "growth", 500, 0, "grows"}};
    for (int i = 0; i < 3; ++i) {
        TopProcess p;
        p.pid = 100 + i;
        p.name = i == 0 ? "we\"ird\\name" : "p" + std::to_string(i);
        p.cpu = 50.0 - i;
        p.rss = 1000 + i;
        p.threads = 2;
        s.top.push_back(p);
    }
    return s;
}

// The body read back as the format's grammar says: families with HELP and
// TYPE first, then only their own samples. Sample lines keyed by their text
// before the value.
struct Parsed {
    std::map<std::string, std::string> types;
    std::map<std::string, double> samples;
};

Parsed parse(const std::string& body) {
    Parsed p;
    std::istringstream in(body);
    std::string line, family;
    std::set<std::string> helped;
    while (std::getline(in, line)) {
        BOOST_TEST_REQUIRE(!line.empty());
        if (line.starts_with("# HELP ")) {
            family = line.substr(7, line.find(' ', 7) - 7);
            BOOST_TEST(valid_metric_name(family));
            BOOST_TEST(helped.insert(family).second, "family " << family << " appears twice");
            continue;
        }
        if (line.starts_with("# TYPE ")) {
            std::istringstream t(line.substr(7));
            std::string name, type;
            t >> name >> type;
            BOOST_TEST(name == family);
            p.types[name] = type;
            continue;
        }
        auto name = line.substr(0, line.find_first_of("{ "));
        BOOST_TEST(name == family, "sample " << line << " outside its family " << family);
        BOOST_TEST(p.types.count(family) == 1);
        auto space = line.rfind(' ');
        p.samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return p;
}

struct Fixture {
    std::int64_t now = 1'763'800'000'000;
    HostRegistry reg;
    HubStats stats;
    explicit Fixture(std::size_t top = 0)
        : reg(RegistryOptions{.history_points = 10, .metrics_top_processes = top}, [this] { return now; }) {
        reg.on_hello(hello("web-1", "web-1.example"), 1);
        reg.on_sample(sample("web-1", 1), std::make_shared<const std::string>("{}"), 1);
        reg.on_hello(hello("db\"2", "db\n2"), 2);  // a hello, no sample yet
    }
    Parsed body() { return parse(build_metrics_body(reg.metrics(), stats, {3, 1'763'700'000'000, 0.5})); }
};

const std::string web = "host=\"web-1\",hostname=\"web-1.example\"";
const std::string db = "host=\"db\\\"2\",hostname=\"db\\n2\"";

}  // namespace

BOOST_AUTO_TEST_CASE(host_series_carry_the_latest_sample_in_base_units) {
    Fixture f;
    auto p = f.body();
    BOOST_TEST(p.samples.at("telehub_host_cpu_ratio{" + web + "}") == 0.35);
    BOOST_TEST(p.samples.at("telehub_host_cpu_mode_ratio{" + web + ",mode=\"user\"}") == 0.20);
    BOOST_TEST(p.samples.at("telehub_host_cpu_mode_ratio{" + web + ",mode=\"system\"}") == 0.10);
    BOOST_TEST(p.samples.at("telehub_host_cpu_mode_ratio{" + web + ",mode=\"iowait\"}") == 0.04);
    BOOST_TEST(p.samples.at("telehub_host_cpu_mode_ratio{" + web + ",mode=\"steal\"}") == 0.01);
    BOOST_TEST(p.samples.at("telehub_host_load15{" + web + "}") == 0.75);
    BOOST_TEST(p.samples.at("telehub_host_memory_available_bytes{" + web + "}") == 3e9);
    BOOST_TEST(p.samples.at("telehub_host_processes{" + web + "}") == 212);
    BOOST_TEST(p.samples.at("telehub_host_processes_running{" + web + "}") == 3);
    BOOST_TEST(p.samples.at("telehub_host_tcp_sockets{" + web + ",state=\"ESTABLISHED\"}") == 12);
    BOOST_TEST(p.samples.at("telehub_host_tcp_sockets{" + web + ",state=\"CLOSE_WAIT\"}") == 2);
    BOOST_TEST(p.samples.at("telehub_host_tcp_sockets{" + web + ",state=\"LISTEN\"}") == 0);
    BOOST_TEST(p.samples.at("telehub_host_udp_sockets{" + web + "}") == 4);
    BOOST_TEST(p.samples.at("telehub_host_unix_sockets{" + web + "}") == 30);
    BOOST_TEST(p.samples.at("telehub_host_socket_opens_per_second{" + web + "}") == 8);
    BOOST_TEST(p.samples.at("telehub_host_leak_suspects{" + web + "}") == 1);
    BOOST_TEST(p.samples.at("telehub_host_online{" + web + "}") == 1);
    BOOST_TEST(p.samples.at("telehub_host_last_seen_timestamp_seconds{" + web + "}") == 1'763'800'000.0);
    BOOST_TEST(p.samples.at("telehub_host_history_bytes{" + web + "}") > 0);
}

BOOST_AUTO_TEST_CASE(a_host_without_a_sample_has_state_but_no_invented_values) {
    Fixture f;
    auto p = f.body();
    BOOST_TEST(p.samples.at("telehub_host_online{" + db + "}") == 1);  // escaped quote and newline
    BOOST_TEST(p.samples.count("telehub_host_cpu_ratio{" + db + "}") == 0);
    BOOST_TEST(p.samples.count("telehub_host_tcp_sockets{" + db + ",state=\"ESTABLISHED\"}") == 0);
    f.now += 10'000;  // past three intervals: offline
    p = f.body();
    BOOST_TEST(p.samples.at("telehub_host_online{" + db + "}") == 0);
    BOOST_TEST(p.samples.at("telehub_hub_hosts{state=\"offline\"}") == 2);
}

BOOST_AUTO_TEST_CASE(types_and_suffixes_follow_the_conventions) {
    Fixture f;
    auto p = f.body();
    for (const auto& [name, type] : p.types) {
        BOOST_TEST((type == "counter" || type == "gauge"), name << " is " << type);
        // Counters and only counters end in _total.
        BOOST_TEST((type == "counter") == name.ends_with("_total"), name);
        BOOST_TEST(name.starts_with("telehub_"), name);
    }
    BOOST_TEST(p.types.at("telehub_hub_samples_received_total") == "counter");
    BOOST_TEST(p.types.at("telehub_host_memory_total_bytes") == "gauge");
}

BOOST_AUTO_TEST_CASE(hub_counters_are_exported_by_reason_and_outcome) {
    Fixture f;
    f.stats.samples_received = 41;
    f.stats.bytes_received = 123456;
    f.stats.refuse(RefuseReason::bad_token);
    f.stats.refuse(RefuseReason::bad_token);
    f.stats.command_done(command_outcome_of(false, "agent_timeout"));
    f.stats.command_done(command_outcome_of(false, "not_permitted"));  // an agent's own code
    f.stats.command_done(command_outcome_of(true, ""));
    f.stats.live_clients_dropped = 4;
    auto p = f.body();
    BOOST_TEST(p.samples.at("telehub_hub_samples_received_total") == 41);
    BOOST_TEST(p.samples.at("telehub_hub_received_bytes_total") == 123456);
    BOOST_TEST(p.samples.at("telehub_hub_frames_refused_total{reason=\"bad_token\"}") == 2);
    BOOST_TEST(p.samples.at("telehub_hub_frames_refused_total{reason=\"bad_json\"}") == 0);
    BOOST_TEST(p.samples.at("telehub_hub_commands_total{outcome=\"agent_timeout\"}") == 1);
    BOOST_TEST(p.samples.at("telehub_hub_commands_total{outcome=\"agent_error\"}") == 1);
    BOOST_TEST(p.samples.at("telehub_hub_commands_total{outcome=\"ok\"}") == 1);
    BOOST_TEST(p.samples.at("telehub_hub_dashboards_dropped_total") == 4);
    BOOST_TEST(p.samples.at("telehub_hub_log_lines_dropped_total") == 3);
    BOOST_TEST(p.samples.at("telehub_hub_hosts{state=\"online\"}") == 2);
    BOOST_TEST(p.samples.at("telehub_hub_history_bytes") == p.samples.at("telehub_host_history_bytes{" + web + "}") +
                                                              p.samples.at("telehub_host_history_bytes{" + db + "}"));
    BOOST_TEST(p.samples.at("telehub_hub_start_time_seconds") == 1'763'700'000.0);
    BOOST_TEST(p.samples.at("telehub_hub_metrics_build_seconds") == 0.5);
}

BOOST_AUTO_TEST_CASE(process_series_are_off_by_default_and_limited_to_the_top_n) {
    Fixture off;
    auto p = off.body();
    BOOST_TEST(p.types.count("telehub_process_cpu_ratio") == 0);

    Fixture on(2);
    p = on.body();
    const std::string first = web + ",pid=\"100\",name=\"we\\\"ird\\\\name\"";
    BOOST_TEST(p.samples.at("telehub_process_cpu_ratio{" + first + "}") == 0.5);
    BOOST_TEST(p.samples.at("telehub_process_resident_memory_bytes{" + first + "}") == 1000);
    BOOST_TEST(p.samples.count("telehub_process_threads{" + web + ",pid=\"101\",name=\"p1\"}") == 1);
    BOOST_TEST(p.samples.count("telehub_process_threads{" + web + ",pid=\"102\",name=\"p2\"}") == 0);
}
