#include "telehub/codec.hpp"

#define BOOST_TEST_MODULE codec
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "tests/support/example_sample.hpp"

using namespace telehub;


BOOST_AUTO_TEST_CASE(sample_round_trips_through_the_decoder) {
    Sample in = test::example_sample();
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(encode_sample(in), out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST((out.kind == FrameKind::sample));
    const Sample& s = out.sample;
    BOOST_TEST(s.host_id == "host-a");
    BOOST_TEST(s.seq == 42u);
    BOOST_TEST(s.ts_ms == 1763800000000);
    BOOST_TEST(s.cpu.total == 12.5);
    BOOST_TEST(s.cpu.per_core.size() == 2u);
    BOOST_TEST(s.cpu.per_core[1] == 14.9);
    BOOST_TEST(s.load[2] == 0.3);
    BOOST_TEST(s.mem.total == 16'000'000'000ULL);
    BOOST_TEST(s.procs.total == 312u);
    BOOST_REQUIRE(s.top.size() == 1u);
    BOOST_TEST(s.top[0].name == "ng (x) inx");
    BOOST_TEST(s.top[0].nice == -5);
    BOOST_TEST(s.top[0].utime == 573u);
    BOOST_TEST(s.top[0].sockets.tcp == 100u);
    BOOST_TEST(s.sockets.tcp[tcp_established] == 120u);
    BOOST_TEST(s.sockets.tcp[tcp_listen] == 8u);
    BOOST_TEST(s.sockets.tcp_total() == 131u);
    BOOST_TEST(s.sockets.unix_ == 60u);
    BOOST_REQUIRE(s.sockets.by_process.size() == 1u);
    BOOST_TEST(s.sockets.by_process[0].tcp[tcp_established] == 98u);
    BOOST_TEST(s.sockets.churn.exact);
    BOOST_TEST(s.sockets.churn.tcp_active_opens == 10u);
    BOOST_TEST(s.sockets.churn.opened == 9u);
    BOOST_REQUIRE(s.sockets.churn_by_process.size() == 1u);
    BOOST_TEST(s.sockets.churn_by_process[0].opened.tcp == 9u);
    BOOST_TEST(s.sockets.churn_by_process[0].closed.udp == 2u);
    BOOST_TEST(s.sockets.churn_by_process[0].opened_total == 90u);
    BOOST_TEST(s.sockets.churn_by_process[0].open.tcp == 100u);
    BOOST_REQUIRE(s.leaks.size() == 1u);
    BOOST_TEST(s.leaks[0].reason == "growth");
    BOOST_TEST(s.leaks[0].since_ms == 1763800000000);
}

// Percentages go out with one decimal, halves away from zero as std::round;
// a value too large to have a decimal goes out as it is, never as infinity
// (the agent_frame fuzz target's find: iowait 0.51e308 made the re-encoded
// frame undecodable).
BOOST_AUTO_TEST_CASE(percentages_are_rounded_to_one_decimal_and_huge_ones_survive) {
    Sample in = test::example_sample();
    in.cpu.total = 12.25;
    in.cpu.user = -0.05;
    in.cpu.system = 99.94999;
    in.cpu.iowait = 0.51e308;
    in.cpu.steal = 1e15 + 0.3;
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(encode_sample(in), out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST(out.sample.cpu.total == 12.3);
    BOOST_TEST(out.sample.cpu.user == -0.1);
    BOOST_TEST(out.sample.cpu.system == 99.9);
    BOOST_TEST(out.sample.cpu.iowait == 0.51e308);
    BOOST_TEST(out.sample.cpu.steal == 1e15 + 0.3);
}

BOOST_AUTO_TEST_CASE(sample_uses_the_documented_key_names) {
    auto j = nlohmann::json::parse(encode_sample(test::example_sample()));
    BOOST_TEST(j["type"] == "sample");
    BOOST_TEST(j["cpu"]["per_core"].size() == 2u);
    BOOST_TEST(j["sockets"]["tcp"]["ESTABLISHED"] == 120);
    BOOST_TEST(j["sockets"]["tcp"]["CLOSE_WAIT"] == 0);  // every state listed at host level
    BOOST_TEST(j["sockets"]["by_process"][0]["tcp"].contains("LISTEN"));
    BOOST_TEST(!j["sockets"]["by_process"][0]["tcp"].contains("CLOSE_WAIT"));
    BOOST_TEST(j["top"][0]["sockets"]["unix"] == 2);
    BOOST_TEST(!j.contains("backfill"));
}

BOOST_AUTO_TEST_CASE(decoder_reuses_frame_between_samples_with_fewer_items) {
    FrameDecoder dec;
    AgentFrame out;
    Sample big = test::example_sample();
    big.top.resize(5, big.top[0]);
    BOOST_REQUIRE(!dec.decode(encode_sample(big), out));
    BOOST_TEST(out.sample.top.size() == 5u);
    Sample small = test::example_sample();
    small.top.clear();
    small.backfill = true;
    BOOST_REQUIRE(!dec.decode(encode_sample(small), out));
    BOOST_TEST(out.sample.top.empty());
    BOOST_TEST(out.sample.backfill);
}

BOOST_AUTO_TEST_CASE(hello_round_trips) {
    Hello h{protocol_version, "h1", "box", "6.1.0", 8, 1700000000, 1000, "0.1.0", 1763800000123, "", {"kill", "renice"}};
    FrameDecoder dec;
    AgentFrame out;
    BOOST_REQUIRE(!dec.decode(encode_hello(h), out));
    BOOST_TEST((out.kind == FrameKind::hello));
    BOOST_TEST(out.hello.host_id == "h1");
    BOOST_TEST(out.hello.cores == 8u);
    BOOST_TEST(out.hello.instance == 1763800000123);
    BOOST_TEST(out.hello.capabilities.size() == 2u);
}

// The reader looks for each field from where the last one was found (agents
// send keys in the order it reads them); an optional field sent earlier than
// that, or a key out of turn, must still be found.
BOOST_AUTO_TEST_CASE(an_optional_field_sent_out_of_its_place_is_still_read) {
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(R"({"type":"sample","host_id":"h","seq":1,"ts_ms":9,"interval_ms":1000,
        "cpu":{"total":3,"per_core":[1]},
        "top":[{"pid":7,"container":"web","name":"b","cpu":2.5},{"container":"db","pid":8,"name":"c","cpu":1}],
        "sockets":{"tcp":{},"udp":0,"unix":0,"by_process":[{"pid":7,"container":"web","name":"b","total":1}]}})",
                          out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_REQUIRE(out.sample.top.size() == 2u);
    BOOST_TEST(out.sample.top[0].container == "web");
    BOOST_TEST(out.sample.top[0].name == "b");
    BOOST_TEST(out.sample.top[1].container == "db");
    BOOST_TEST(out.sample.top[1].pid == 8);
    BOOST_REQUIRE(out.sample.sockets.by_process.size() == 1u);
    BOOST_TEST(out.sample.sockets.by_process[0].container == "web");
    BOOST_TEST(out.sample.sockets.by_process[0].total == 1u);
}

// Once as many fields were found as an object holds, the reader takes every
// further key as absent without a scan: a key sent twice holds two places, so
// it must not make a later field look absent. The frame is refused for the
// key sent twice (docs/protocol.md), not for a field missing.
BOOST_AUTO_TEST_CASE(a_key_sent_twice_does_not_hide_a_later_field) {
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(R"({"type":"hello","protocol":1,"protocol":2,"host_id":"x","interval_ms":1000,"cores":4})", out);
    BOOST_REQUIRE(err.has_value());
    BOOST_TEST(err->code == "duplicate_field");
    BOOST_TEST(err->message == "field 'protocol' is sent twice");
}

struct BadFrame {
    const char* json;
    const char* code;
    const char* mentions;
};

BOOST_AUTO_TEST_CASE(fields_are_found_in_any_order) {
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(R"({"interval_ms":500,"top":[{"cpu":2.5,"name":"b","pid":7}],"cpu":{"per_core":[1,2],"total":3},
        "sockets":{"unix":0,"udp":0,"tcp":{}},"ts_ms":9,"seq":4,"host_id":"h","type":"sample"})", out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST(out.sample.host_id == "h");
    BOOST_TEST(out.sample.seq == 4u);
    BOOST_TEST(out.sample.interval_ms == 500u);
    BOOST_TEST(out.sample.cpu.total == 3.0);
    BOOST_REQUIRE(out.sample.top.size() == 1u);
    BOOST_TEST(out.sample.top[0].pid == 7);
    BOOST_TEST(out.sample.top[0].name == "b");
}

BOOST_AUTO_TEST_CASE(bad_frames_get_errors_naming_the_problem) {
    const BadFrame cases[] = {
        {"{not json", "bad_json", "not valid JSON"},
        {"{\"type\":\"hello\",\"host_id\":\"\xc3\x28\"}", "bad_utf8", "UTF-8"},
        {"[1,2]", "wrong_type", "object"},
        {R"({"seq":1})", "missing_field", "'type'"},
        {R"({"type":7})", "wrong_type", "'type'"},
        {R"({"type":"bogus"})", "unknown_type", "bogus"},
        {R"({"type":"hello","host_id":"x","interval_ms":1000})", "missing_field", "'protocol'"},
        {R"({"type":"hello","protocol":1,"host_id":"","interval_ms":1000})", "bad_value", "'host_id'"},
        // Every field sent was read before the required one was asked for.
        {R"({"type":"hello","protocol":1,"host_id":"x"})", "missing_field", "'interval_ms'"},
        // Keys are compared byte by byte: one that differs in its last byte, or is one longer, is another key.
        {R"({"type":"hello","protocoL":1,"host_id":"x","interval_ms":1000})", "missing_field", "'protocol'"},
        {R"({"type":"hello","protocol_":1,"host_id":"x","interval_ms":1000})", "missing_field", "'protocol'"},
        {R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,"cpu":{"total":1,"per_core":[]},"top":[],
            "sockets":{"tcp":{"ESTABLISHEX":1},"udp":0,"unix":0}})",
         "bad_value", "ESTABLISHEX"},
        {R"({"type":"sample","host_id":"x","seq":-1,"ts_ms":1,"interval_ms":1000})", "wrong_type", "'seq'"},
        {R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000})", "missing_field", "'cpu'"},
        {R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,"cpu":{"total":"high","per_core":[]}})",
         "wrong_type", "'cpu.total'"},
        {R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,"cpu":{"total":1,"per_core":[]},"top":[1]})",
         "wrong_type", "'top[0]'"},
        {R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,"cpu":{"total":1,"per_core":[]},"top":[],
            "sockets":{"tcp":{"NOPE":1},"udp":0,"unix":0}})",
         "bad_value", "NOPE"},
        // Paths of nested fields are built only on error: they must still name the element.
        {R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,"cpu":{"total":1,"per_core":[]},
            "top":[{"pid":1,"name":"a","cpu":1},{"pid":2,"name":"b","cpu":1,"sockets":{"tcp":"x"}}]})",
         "wrong_type", "'top[1].sockets.tcp'"},
        {R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,"cpu":{"total":1,"per_core":[]},"top":[],
            "sockets":{"tcp":{},"udp":0,"unix":0,"by_process":[{"pid":1,"total":1},{"total":2}]}})",
         "missing_field", "'sockets.by_process[1].pid'"},
    };
    FrameDecoder dec;
    AgentFrame out;
    for (const auto& c : cases) {
        auto err = dec.decode(c.json, out);
        BOOST_TEST_CONTEXT(c.json) {
            BOOST_REQUIRE(err.has_value());
            BOOST_TEST(err->code == c.code);
            BOOST_TEST(err->message.find(c.mentions) != std::string::npos, err->message);
        }
    }
}

BOOST_AUTO_TEST_CASE(namespaces_and_containers_round_trip) {
    Sample in = test::example_container_host_sample();

    auto j = nlohmann::json::parse(encode_sample(in));
    BOOST_TEST(j["containers"][0]["sockets"] == 100);
    BOOST_TEST(j["containers"][1]["cpu"].is_null());
    // Memory the agent could not read is left out, not sent as 0 bytes.
    BOOST_TEST(j["containers"][0]["mem"] == 1 << 20);
    BOOST_TEST(!j["containers"][2].contains("mem"));
    BOOST_TEST(!j["containers"][2].contains("mem_limit"));
    BOOST_TEST(!j["sockets"]["netns"][0].contains("container"));  // the host's: no container key
    BOOST_TEST(!j["sockets"]["churn_by_process"][0].contains("container"));

    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(encode_sample(in), out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    const Sample& s = out.sample;
    BOOST_REQUIRE(s.sockets.netns.size() == 2u);
    BOOST_TEST(s.sockets.netns[0].host);
    BOOST_TEST(s.sockets.netns[1].inode == 4026532301u);
    BOOST_TEST(s.sockets.netns[1].container == "web");
    BOOST_TEST(s.sockets.netns[1].source == "proc");
    BOOST_TEST(s.sockets.netns[1].tcp[tcp_established] == 98u);
    BOOST_TEST(s.sockets.netns[1].udp == 3u);
    BOOST_TEST(s.sockets.by_process[0].container == "web");
    BOOST_TEST(s.top[0].container == "web");
    BOOST_TEST(s.leaks[0].container == "web");
    BOOST_REQUIRE(s.containers.size() == 3u);
    BOOST_TEST(s.containers[0].cpu_known);
    BOOST_TEST(s.containers[0].mem_known);
    BOOST_TEST(s.containers[0].mem == (1u << 20));
    BOOST_TEST(!s.containers[2].mem_known);
    BOOST_TEST(s.containers[2].mem == 0u);
    BOOST_TEST(s.containers[2].cpu_known);
    BOOST_TEST(s.containers[0].cpu == 55.5);
    BOOST_TEST(s.containers[0].mem_limit == (1u << 30));
    BOOST_TEST(s.containers[0].tcp[tcp_listen] == 2u);
    BOOST_TEST(!s.containers[1].cpu_known);
    BOOST_TEST(s.containers_total == 9u);

    // A replayed sample leaves out the namespaces and the container list and
    // keeps everything else, the container count and the processes' containers
    // included; it decodes like a full one.
    std::string replay = encode_sample(in, SampleDetail::replay);
    auto rj = nlohmann::json::parse(replay);
    auto fj = nlohmann::json::parse(encode_sample(in));
    BOOST_TEST(!rj.contains("containers"));
    BOOST_TEST(!rj["sockets"].contains("netns"));
    fj.erase("containers");
    fj["sockets"].erase("netns");
    BOOST_TEST(rj == fj);
    BOOST_TEST(replay.size() < encode_sample(in).size());
    BOOST_REQUIRE(!dec.decode(replay, out));
    BOOST_TEST(out.sample.containers.empty());
    BOOST_TEST(out.sample.sockets.netns.empty());
    BOOST_TEST(out.sample.containers_total == 9u);
    BOOST_TEST(out.sample.top[0].container == "web");

    // A replay lists only the suspects holding the most sockets; the count stays.
    Sample leaky = test::example_sample();
    leaky.leaks.clear();
    for (int i = 0; i < 8; ++i) {
        LeakSuspect l;
        l.pid = 100 + i;
        l.name = "p" + std::to_string(i);
        l.reason = "close_wait";
        l.count = static_cast<std::uint32_t>(i == 6 ? 50 : i + 1);
        leaky.leaks.push_back(l);
    }
    auto lj = nlohmann::json::parse(encode_sample(leaky, SampleDetail::replay));
    BOOST_TEST(lj["leaks_total"] == 8);
    BOOST_REQUIRE(lj["leaks"].size() == replay_leaks);
    std::vector<int> pids;
    for (const auto& l : lj["leaks"]) pids.push_back(l["pid"].get<int>());
    BOOST_TEST(pids == (std::vector<int>{103, 104, 105, 106, 107}), boost::test_tools::per_element());
    BOOST_REQUIRE(!dec.decode(lj.dump(), out));
    BOOST_TEST(out.sample.leaks.size() == replay_leaks);
    BOOST_TEST(out.sample.leak_count() == 8u);
    BOOST_TEST(nlohmann::json::parse(encode_sample(leaky))["leaks"].size() == 8u);
    // Both forms from one head are the two forms encoded apart, byte for
    // byte. The lists are written element by element after the head, so each
    // frame must still be exactly what one tree would dump: valid JSON (an
    // invalid UTF-8 name replaced), keys in the order the hub reads them.
    Sample bare = test::example_sample();
    bare.leaks.clear();
    bare.containers.clear();
    bare.backfill = true;
    leaky.leaks[2].name = "bad\xff";
    leaky.leaks[6].container = "web";
    for (const Sample* x : {&in, &leaky, &bare}) {
        SampleFrames both = encode_sample_frames(*x);
        BOOST_TEST(both.full == encode_sample(*x));
        BOOST_TEST(both.replay == encode_sample(*x, SampleDetail::replay));
        for (const std::string* frame : {&both.full, &both.replay}) {
            auto tree = nlohmann::ordered_json::parse(*frame);
            BOOST_TEST(tree.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == *frame);
            std::vector<std::string> tail;
            bool after_sockets = false;
            for (const auto& [key, value] : tree.items()) {
                if (after_sockets) tail.push_back(key);
                after_sockets = after_sockets || key == "sockets";
            }
            std::vector<std::string> expected{"leaks", "leaks_total"};
            if (frame == &both.full) expected.push_back("containers");
            expected.push_back("containers_total");
            if (x->backfill) expected.push_back("backfill");
            BOOST_TEST(tail == expected, boost::test_tools::per_element());
            BOOST_TEST(tree["leaks_total"] == x->leak_count());
        }
    }
    BOOST_TEST(nlohmann::json::parse(encode_sample(leaky))["leaks"][2]["name"] == "bad\xef\xbf\xbd");
    lj["leaks_total"] = 4;
    auto low = dec.decode(lj.dump(), out);
    BOOST_REQUIRE(low.has_value());
    BOOST_TEST(low->message.find("leaks_total") != std::string::npos);

    // A frame from an agent before namespaces and containers still decodes, with none.
    Sample old = test::example_sample();
    auto old_json = nlohmann::json::parse(encode_sample(old));
    old_json.erase("containers");
    old_json.erase("containers_total");
    old_json["sockets"].erase("netns");
    BOOST_REQUIRE(!dec.decode(old_json.dump(), out));
    BOOST_TEST(out.sample.containers.empty());
    BOOST_TEST(out.sample.sockets.netns.empty());
    BOOST_TEST(out.sample.containers_total == 0u);
    BOOST_TEST(out.sample.top[0].container.empty());

    // containers_total below the list is refused, naming the field.
    auto bad = nlohmann::json::parse(encode_sample(in));
    bad["containers_total"] = 1;
    auto bad_err = dec.decode(bad.dump(), out);
    BOOST_REQUIRE(bad_err);
    BOOST_TEST(bad_err->message.find("containers_total") != std::string::npos);
}
