// The hub's one-pass reader of agent frames (FrameDecoder over FieldReader and
// JsonScan) against what it must refuse and keep. simdjson, which parsed
// whole frames before this reader existed, is the judge of what is JSON.
#include "telehub/codec.hpp"

#define BOOST_TEST_MODULE frame_decode
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <string>

#include "tests/support/example_sample.hpp"

using namespace telehub;

namespace {

Sample full_sample() {
    Sample s = test::example_container_host_sample();
    s.top.push_back(s.top[0]);
    s.top[1].pid = 99;
    s.top[1].container.clear();
    s.leaks_total = 1;
    return s;
}

bool simdjson_parses(const std::string& text) {
    static simdjson::dom::parser parser;
    simdjson::dom::element doc;
    return parser.parse(text).get(doc) == simdjson::SUCCESS;
}

std::string with_inserted(std::string text, std::string_view after, std::string_view insert) {
    const auto at = text.find(after);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, after);
    text.insert(at + after.size(), insert);
    return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_field_of_a_full_sample_is_read) {
    const Sample in = full_sample();
    FrameDecoder dec;
    AgentFrame out;
    const std::string text = encode_sample(in);
    auto err = dec.decode(text, out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST(encode_sample(out.sample) == text);
    BOOST_TEST(out.sample.top[0].container == "web");
    BOOST_TEST(out.sample.containers_total == 9u);
    BOOST_TEST(out.sample.sockets.churn.tcp_active_opens == 10u);
}

// Every proper prefix of a frame, as a connection cut mid-frame would leave it, is bad JSON.
BOOST_AUTO_TEST_CASE(a_frame_cut_anywhere_is_bad_json) {
    const std::string text = encode_sample(full_sample());
    FrameDecoder dec;
    AgentFrame out;
    for (std::size_t n = 0; n < text.size(); ++n) {
        auto err = dec.decode(std::string_view(text.data(), n), out);
        BOOST_TEST_CONTEXT("cut at " << n) {
            BOOST_REQUIRE(err.has_value());
            BOOST_TEST(err->code == "bad_json");
        }
    }
}

// The reader stops at the first field it refuses; a frame is still called
// bad JSON when its text breaks after that field, and only then.
BOOST_AUTO_TEST_CASE(bytes_replaced_anywhere_are_refused_as_bad_json_exactly_when_the_text_is_not_json) {
    const std::string text = encode_sample(full_sample());
    FrameDecoder dec;
    AgentFrame out;
    int refused = 0, accepted = 0;
    for (std::size_t at = 0; at < text.size(); ++at) {
        for (char c : {'"', '}', ',', '0', 'x', '-', ':', '\\', ' '}) {
            if (text[at] == c) continue;
            std::string broken = text;
            broken[at] = c;
            auto err = dec.decode(broken, out);
            const bool json = simdjson_parses(broken);
            BOOST_TEST_CONTEXT(broken.substr(at > 30 ? at - 30 : 0, 60)) {
                if (!json) {
                    BOOST_REQUIRE(err.has_value());
                    BOOST_TEST(err->code == "bad_json");
                } else if (err) {
                    BOOST_TEST(err->code != "bad_json", err->message);
                }
            }
            (err ? refused : accepted) += 1;
        }
    }
    // Most replacements break the frame; some make another valid one (a digit for a digit).
    BOOST_TEST(refused > 0);
    BOOST_TEST(accepted > 0);
}

BOOST_AUTO_TEST_CASE(fields_this_hub_does_not_know_are_skipped_wherever_they_are) {
    const std::string text = encode_sample(full_sample());
    const std::string future = R"("future":{"list":[1,-2.5e3,{"deep":[null,true,"x\"y"]}],"empty":{}},)";
    FrameDecoder dec;
    AgentFrame out;
    for (std::string_view after : {std::string_view("{"), std::string_view(R"("cpu":{)"),
                                   std::string_view(R"("top":[{)"), std::string_view(R"("by_process":[{)"),
                                   std::string_view(R"("churn":{)"), std::string_view(R"("netns":[{)"),
                                   std::string_view(R"("containers":[{)")}) {
        auto err = dec.decode(with_inserted(text, after, future), out);
        BOOST_TEST_CONTEXT(after) {
            BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
            BOOST_TEST(encode_sample(out.sample) == text);
        }
    }
    // At the end of an object too, after every field the hub asked for.
    auto err = dec.decode(with_inserted(text, R"("containers_total":9)", R"(,"future":[[]])"), out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST(encode_sample(out.sample) == text);
}

BOOST_AUTO_TEST_CASE(a_field_this_hub_does_not_know_must_still_be_json) {
    const std::string text = encode_sample(full_sample());
    FrameDecoder dec;
    AgentFrame out;
    for (std::string_view bad : {R"("future":[1,,2],)", R"("future":{"a" 1},)", R"("future":tru,)", R"("future":"\q",)",
                                 R"("future":1e400,)", R"("future":18446744073709551616,)"}) {
        for (std::string_view after : {std::string_view("{"), std::string_view(R"("top":[{)")}) {
            auto err = dec.decode(with_inserted(text, after, bad), out);
            BOOST_TEST_CONTEXT(bad << " after " << after) {
                BOOST_REQUIRE(err.has_value());
                BOOST_TEST(err->code == "bad_json");
            }
        }
    }
    auto err = dec.decode(text + " x", out);
    BOOST_REQUIRE(err.has_value());
    BOOST_TEST(err->code == "bad_json");
}

// Frames are read into the elements of the frame before: a field an agent
// leaves out reads as 0 or empty, not as what the last frame said.
BOOST_AUTO_TEST_CASE(an_optional_field_left_out_is_empty_not_the_last_frames_value) {
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(encode_sample(full_sample()), out);
    BOOST_REQUIRE(!err);
    BOOST_REQUIRE(out.sample.cpu.user == 8.0);
    BOOST_REQUIRE(!out.sample.top[0].user.empty());
    err = dec.decode(R"({"type":"sample","host_id":"host-a","seq":8,"ts_ms":1,"interval_ms":1000,
        "cpu":{"total":1,"per_core":[]},
        "top":[{"pid":1,"name":"a","cpu":1},{"pid":2,"name":"b","cpu":2}],
        "sockets":{"tcp":{},"udp":0,"unix":0,"by_process":[{"pid":3,"total":1}],"churn":{},
                   "netns":[{"inode":5}]},
        "leaks":[{"pid":4,"reason":"growth"}],"containers":[{"id":"c"}]})",
                     out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    const Sample& s = out.sample;
    BOOST_TEST(s.cpu.user == 0.0);
    BOOST_TEST(s.cpu.steal == 0.0);
    BOOST_TEST(s.top[0].ppid == 0);
    BOOST_TEST(s.top[0].cmdline.empty());
    BOOST_TEST(s.top[0].user.empty());
    BOOST_TEST(s.top[0].rss == 0u);
    BOOST_TEST(s.top[0].container.empty());
    BOOST_TEST(s.top[0].state == '?');
    BOOST_TEST(s.sockets.source.empty());
    BOOST_TEST(s.sockets.by_process[0].name.empty());
    BOOST_TEST(s.sockets.by_process[0].udp == 0u);
    BOOST_TEST(!s.sockets.churn.exact);
    BOOST_TEST(s.sockets.netns[0].owner_name.empty());
    BOOST_TEST(!s.sockets.netns[0].host);
    BOOST_TEST(s.leaks[0].evidence.empty());
    BOOST_TEST(s.leaks[0].count == 0u);
    BOOST_TEST(s.leaks_total == 1u);
    BOOST_TEST(s.containers[0].name.empty());
    BOOST_TEST(!s.containers[0].cpu_known);
    BOOST_TEST(!s.containers[0].mem_known);
    BOOST_TEST(s.containers_total == 1u);
}

BOOST_AUTO_TEST_CASE(escaped_keys_and_whitespace_are_read_as_json_allows) {
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(" {\n \"type\" : \"sample\" , \"ho\\u0073t_id\" :\t\"h\\u00e9\" , \"seq\":1,\"ts_ms\":-5,"
                          "\"interval_ms\":1000,\"cpu\":{ \"total\" : 1.5e1 , \"per_core\" : [ 1 , 2 ] },\"top\":[ ],"
                          "\"sockets\":{\"tcp\":{\"ESTABLISH\\u0045D\":3},\"udp\":0,\"unix\":0}\r\n}\n",
                          out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST(out.sample.host_id == "h\xc3\xa9");
    BOOST_TEST(out.sample.ts_ms == -5);
    BOOST_TEST(out.sample.cpu.total == 15.0);
    BOOST_TEST(out.sample.cpu.per_core.size() == 2u);
    BOOST_TEST(out.sample.sockets.tcp[tcp_established] == 3u);
}

BOOST_AUTO_TEST_CASE(numbers_out_of_a_fields_range_are_refused_by_name) {
    struct Case {
        const char* seq;
        const char* code;
    };
    FrameDecoder dec;
    AgentFrame out;
    for (const Case& c : {Case{"1.5", "wrong_type"}, Case{"-1", "wrong_type"}, Case{"1e2", "wrong_type"},
                          Case{"\"1\"", "wrong_type"}, Case{"18446744073709551616", "bad_json"}}) {
        const std::string text = std::string(R"({"type":"sample","host_id":"x","seq":)") + c.seq +
                                 R"(,"ts_ms":1,"interval_ms":1000,"cpu":{"total":1,"per_core":[]},"top":[],
                                     "sockets":{"tcp":{},"udp":0,"unix":0}})";
        auto err = dec.decode(text, out);
        BOOST_TEST_CONTEXT(c.seq) {
            BOOST_REQUIRE(err.has_value());
            BOOST_TEST(err->code == c.code);
            if (std::string_view(c.code) == "wrong_type") BOOST_TEST(err->message.find("'seq'") != std::string::npos);
        }
    }
    const std::string pid_too_big = R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,
        "cpu":{"total":1,"per_core":[]},"top":[{"pid":4294967296,"name":"a","cpu":1}],"sockets":{"tcp":{},"udp":0,"unix":0}})";
    auto err = dec.decode(pid_too_big, out);
    BOOST_REQUIRE(err.has_value());
    BOOST_TEST(err->code == "bad_value");
    BOOST_TEST(err->message.find("'top[0].pid'") != std::string::npos, err->message);
}

BOOST_AUTO_TEST_CASE(a_replys_result_is_kept_as_compact_json) {
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(R"({"type":"reply","id":"c-1","ok":true,"result": { "pid" : 12 , "name" : "a b\"c" , "l" : [ 1 , 2.50 ] } })",
                          out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST(out.reply.result_json == R"({"pid":12,"name":"a b\"c","l":[1,2.50]})");
    BOOST_TEST(simdjson_parses(out.reply.result_json));
}

// The hub forwards frames as received: a key sent twice could show a reader
// that takes the last copy (a browser's JSON.parse) a value the hub never
// checked, so the frame is refused, naming the key, wherever it is.
BOOST_AUTO_TEST_CASE(a_key_sent_twice_in_one_object_is_refused_wherever_it_is) {
    const std::string text = encode_sample(full_sample());
    struct Case {
        std::string_view after;
        std::string_view insert;
        std::string_view message;
    };
    FrameDecoder dec;
    AgentFrame out;
    for (const Case& c : {
             // A field the hub reads, sent again in its place (the rest of the object is then indexed) ...
             Case{R"("type":"sample",)", R"("type":"sample",)", "field 'type' is sent twice"},
             Case{R"("cpu":{"total":12.5,)", R"("total":99,)", "field 'cpu.total' is sent twice"},
             // ... after every field was read in order ...
             Case{R"("containers_total":9)", R"(,"containers_total":0)", "field 'containers_total' is sent twice"},
             Case{R"("leaks_total":1)", R"(,"leaks_total":1)", "field 'leaks_total' is sent twice"},
             // ... before its first copy, escaped, or in an element of an array.
             Case{R"("top":[{)", R"("pid":7,)", "field 'top[0].pid' is sent twice"},
             Case{R"("cpu":{)", R"("tot\u0061l":99,)", "field 'cpu.total' is sent twice"},
             // A field the hub does not know, twice.
             Case{"{", R"("future":1,"future":2,)", "field 'future' is sent twice"},
             // Inside a value the hub only checks.
             Case{"{", R"("future":{"a":1,"a":2},)", "the key 'a' is sent twice in one object"},
             // A TCP state, twice in one map.
             Case{R"("tcp":{"ESTABLISHED":)", R"(3,"ESTABLISHED":)", "field 'sockets.tcp' has the TCP state 'ESTABLISHED' twice"},
         }) {
        const std::string frame = with_inserted(text, c.after, c.insert);
        BOOST_TEST_CONTEXT(c.insert) {
            BOOST_REQUIRE(simdjson_parses(frame));
            auto err = dec.decode(frame, out);
            BOOST_REQUIRE(err.has_value());
            BOOST_TEST(err->code == "duplicate_field");
            BOOST_TEST(err->message.find(c.message) != std::string::npos, err->message);
        }
    }
    // A reply's result is forwarded too.
    auto err = dec.decode(R"({"type":"reply","id":"c-1","ok":true,"result":{"pid":1,"pid":2}})", out);
    BOOST_REQUIRE(err.has_value());
    BOOST_TEST(err->code == "duplicate_field");
    // Bad JSON further on still outranks it.
    err = dec.decode(with_inserted(text, "{", R"("future":1,"future":2,)") + ",", out);
    BOOST_REQUIRE(err.has_value());
    BOOST_TEST(err->code == "bad_json");
    // A long key is shown cut, at a character's start.
    const std::string long_key = "\xc3\xa9" + std::string(100, 'k');
    err = dec.decode(with_inserted(text, "{", "\"" + long_key + "\":1,\"" + long_key + "\":2,"), out);
    BOOST_REQUIRE(err.has_value());
    BOOST_TEST(err->code == "duplicate_field");
    BOOST_TEST(err->message.size() < 200u, err->message);
    BOOST_TEST(err->message.find("\xc3\xa9" + std::string(62, 'k') + "...") != std::string::npos, err->message);
    // The same key in different objects is not a repeat; the full sample has many.
    BOOST_TEST(!dec.decode(text, out));
}

// TCP state maps are matched against the kernel's names in its order first
// (as agents write them); any other order, form or place reads the same.
BOOST_AUTO_TEST_CASE(tcp_state_maps_read_the_same_in_any_order_and_form) {
    FrameDecoder dec;
    AgentFrame out;
    // The host's map in a full sample, every field in its place (so the map is
    // read where it lies); or, `near_end`, last in a short frame, where fewer
    // bytes are left than a two-word compare reads (the frame's other objects
    // are then indexed, and a key sent twice is found while indexing).
    const std::string full = encode_sample(full_sample());
    auto decode_tcp = [&](std::string_view map, bool near_end = false) {
        std::string text;
        if (near_end) {
            text = R"({"type":"sample","host_id":"x","seq":1,"ts_ms":1,"interval_ms":1000,)"
                   R"("cpu":{"total":1,"per_core":[]},"top":[],"sockets":{"udp":0,"unix":0,"tcp":)" +
                   std::string(map) + "}}";
        } else {
            const std::string at = R"("sockets":{"tcp":{)";  // the host's, not a process's count
            const auto begin = full.find(at) + at.size() - 1;
            text = full.substr(0, begin) + std::string(map) + full.substr(full.find('}', begin) + 1);
        }
        return dec.decode(text, out);
    };
    // Every state, in the kernel's order and in reverse: state i holds 10 * i.
    std::string forward = "{", reverse = "{";
    for (int st = 1; st < tcp_state_count; ++st) {
        forward += (st > 1 ? "," : "") + ("\"" + std::string(tcp_state_name(st)) + "\":" + std::to_string(10 * st));
        const int r = tcp_state_count - st;
        reverse += (st > 1 ? "," : "") + ("\"" + std::string(tcp_state_name(r)) + "\":" + std::to_string(10 * r));
    }
    for (const std::string& map : {forward + "}", reverse + "}"}) {
        BOOST_TEST_CONTEXT(map) {
            auto err = decode_tcp(map);
            BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
            for (int st = 1; st < tcp_state_count; ++st)
                BOOST_TEST(out.sample.sockets.tcp[static_cast<std::size_t>(st)] == static_cast<std::uint32_t>(10 * st));
        }
    }
    // Near the frame's end (fewer bytes left than a two-word compare reads), with
    // whitespace, escaped, and skipping states.
    struct Read {
        std::string_view map;
        bool near_end;
        int state;
        std::uint32_t count;
    };
    for (const Read& c : {Read{R"({"CLOSING":7})", true, tcp_closing, 7}, Read{R"({"LISTEN":4294967295})", true, tcp_listen, 4294967295u},
                          Read{R"({ "LISTEN" : 2 })", false, tcp_listen, 2}, Read{R"({"L\u0049STEN":3})", false, tcp_listen, 3},
                          Read{R"({"ESTABLISHED":1,"CLOSE_WAIT":8})", false, tcp_close_wait, 8},
                          Read{R"({"CLOSE_WAIT":8,"CLOSE":6})", false, tcp_close, 6}}) {
        BOOST_TEST_CONTEXT(c.map) {
            auto err = decode_tcp(c.map, c.near_end);
            BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
            BOOST_TEST(out.sample.sockets.tcp[static_cast<std::size_t>(c.state)] == c.count);
        }
    }
    // Refusals, whichever way the key was matched.
    struct Refused {
        std::string_view map;
        bool near_end;
        std::string_view code;
        std::string_view message;
    };
    for (const Refused& c : {
             Refused{R"({"ESTABLISHED":1,"LISTEN":2,"ESTABLISHED":3})", false, "duplicate_field", "'ESTABLISHED' twice"},
             Refused{R"({"LISTEN":1,"LIST\u0045N":2})", false, "duplicate_field", "'LISTEN' twice"},
             Refused{R"({"LISTEN":1,"LISTEN":2})", true, "duplicate_field", "'LISTEN'"},
             Refused{R"({"LISTENING":1})", false, "bad_value", "unknown TCP state 'LISTENING'"},
             Refused{R"({"CLOSE_WAITS":1})", true, "bad_value", "unknown TCP state 'CLOSE_WAITS'"},
             Refused{R"({"listen":1})", false, "bad_value", "unknown TCP state 'listen'"},
             Refused{R"({"LISTEN":4294967296})", false, "wrong_type", "non-negative integers"},
             Refused{R"({"LISTEN":1.5})", false, "wrong_type", "non-negative integers"},
             Refused{R"({"LISTEN":-1})", false, "wrong_type", "non-negative integers"},
             Refused{R"({"LISTEN":"1"})", false, "wrong_type", "non-negative integers"},
             Refused{R"({"LISTEN":01})", false, "bad_json", ""},
             Refused{R"({"LISTEN"1})", false, "bad_json", ""},
             Refused{R"({"LISTEN":1)", true, "bad_json", ""},
         }) {
        BOOST_TEST_CONTEXT(c.map << (c.near_end ? " (last)" : "")) {
            auto err = decode_tcp(c.map, c.near_end);
            BOOST_REQUIRE(err.has_value());
            BOOST_TEST(err->code == c.code);
            BOOST_TEST(err->message.find(c.message) != std::string::npos, err->message);
            if (c.code != "bad_json" && !c.near_end)
                BOOST_TEST(err->message.find("'sockets.tcp'") != std::string::npos, err->message);
        }
    }
}
