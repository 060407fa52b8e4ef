#define BOOST_TEST_MODULE remote_command
#include <boost/test/unit_test.hpp>

#include <set>

#include "hub/cluster/cluster.hpp"
#include "hub/control/control.hpp"

using namespace telehub::hub;

namespace {

RemoteCommandMessage sample_message() {
    RemoteCommandMessage m;
    m.from_hub = "hub-a";
    m.request_id = 42;
    m.command.command_id = new_command_id();
    m.command.host_id = "web-3";
    m.command.op = "signal";
    m.command.args_json = R"({"pid":8802,"signal":9})";
    m.command.token_name = "ops";
    m.command.client = "127.0.0.1:51000";
    return m;
}

std::string refusal(std::string_view payload) {
    auto d = decode_remote_command(payload);
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<std::string>(d), payload << " was accepted");
    return std::get<std::string>(d);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_command_goes_through_unchanged) {
    const auto m = sample_message();
    auto d = decode_remote_command(encode_remote_command(m));
    BOOST_REQUIRE(std::holds_alternative<RemoteCommandMessage>(d));
    const auto& back = std::get<RemoteCommandMessage>(d);
    BOOST_TEST(back.from_hub == "hub-a");
    BOOST_TEST(back.request_id == 42u);
    BOOST_TEST(back.command.command_id == m.command.command_id);
    BOOST_TEST(back.command.host_id == "web-3");
    BOOST_TEST(back.command.op == "signal");
    BOOST_TEST(nlohmann::json::parse(back.command.args_json) == nlohmann::json::parse(m.command.args_json));
    BOOST_TEST(!back.command.query);
    BOOST_TEST(back.command.token_name == "ops");
    BOOST_TEST(back.command.client == "127.0.0.1:51000");
    BOOST_TEST(back.deadline_ms == 0);  // not given: an older hub's message
}

BOOST_AUTO_TEST_CASE(the_askers_deadline_goes_through_and_a_bad_one_is_refused) {
    auto m = sample_message();
    m.deadline_ms = 1'796'000'000'123;
    auto d = decode_remote_command(encode_remote_command(m));
    BOOST_REQUIRE(std::holds_alternative<RemoteCommandMessage>(d));
    BOOST_TEST(std::get<RemoteCommandMessage>(d).deadline_ms == m.deadline_ms);
    auto j = nlohmann::json::parse(encode_remote_command(m));
    for (nlohmann::json bad : {nlohmann::json("soon"), nlohmann::json(-5), nlohmann::json(0), nlohmann::json(1.5)}) {
        j["deadline_ms"] = bad;
        BOOST_TEST(refusal(j.dump()).find("'deadline_ms'") != std::string::npos, bad.dump());
    }
}

BOOST_AUTO_TEST_CASE(a_malformed_command_is_refused_naming_what_is_wrong) {
    BOOST_TEST(refusal("not json").find("JSON object") != std::string::npos);
    auto with = [](const char* key, nlohmann::json value) {
        auto j = nlohmann::json::parse(encode_remote_command(sample_message()));
        if (value.is_null()) j.erase(key);
        else j[key] = value;
        return j.dump();
    };
    BOOST_TEST(refusal(with("from", nullptr)).find("'from'") != std::string::npos);
    BOOST_TEST(refusal(with("id", "7")).find("'id'") != std::string::npos);
    BOOST_TEST(refusal(with("command_id", "xyz")).find("'command_id'") != std::string::npos);
    BOOST_TEST(refusal(with("host", "")).find("'host'") != std::string::npos);
    BOOST_TEST(refusal(with("op", "reboot")).find("'op'") != std::string::npos);
    BOOST_TEST(refusal(with("args", nlohmann::json::array())).find("'args'") != std::string::npos);
    BOOST_TEST(refusal(with("query", 1)).find("'query'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_relay_outcome_comes_back_as_it_was) {
    RelayResult ok{200, true, R"({"pid":8802,"signal":9,"sent":true})", {}, {}};
    auto back = decode_relay_result(200, relay_result_type, encode_relay_result(ok));
    BOOST_TEST(back.ok);
    BOOST_TEST(back.status == 200);
    BOOST_TEST(nlohmann::json::parse(back.result_json) == nlohmann::json::parse(ok.result_json));

    RelayResult failed{409, false, {}, "host_offline", "host 'web-3' is offline"};
    back = decode_relay_result(409, relay_result_type, encode_relay_result(failed));
    BOOST_TEST(!back.ok);
    BOOST_TEST(back.status == 409);
    BOOST_TEST(back.error_code == "host_offline");
    BOOST_TEST(back.error_message == failed.error_message);
}

BOOST_AUTO_TEST_CASE(a_timeout_or_a_foreign_answer_becomes_an_error) {
    auto timeout = decode_relay_result(504, "application/json",
                                       R"({"error":{"code":"hub_timeout","message":"hub 'hub-c' did not answer"}})");
    BOOST_TEST(!timeout.ok);
    BOOST_TEST(timeout.status == 504);
    BOOST_TEST(timeout.error_code == "hub_timeout");
    BOOST_TEST(timeout.error_message.find("hub-c") != std::string::npos);
    for (auto [type, body] : std::vector<std::pair<std::string, std::string>>{
             {std::string(relay_result_type), "[1,2]"}, {std::string(relay_result_type), R"({"ok":"yes"})"},
             {"text/plain", "hello"}}) {
        auto r = decode_relay_result(200, type, body);
        BOOST_TEST(!r.ok, body);
        BOOST_TEST(r.status == 502);
        BOOST_TEST(r.error_code == "bad_reply");
    }
}

// Another hub's status is used for this hub's status line: one no status
// line can carry is a bad reply, wherever it came (the answer's line or its JSON).
BOOST_AUTO_TEST_CASE(a_status_that_is_not_http_is_a_bad_reply) {
    RelayResult ok{200, true, R"({"sent":true})", {}, {}};
    for (int status : {0, 99, 600, 1000, -200}) {
        auto r = decode_relay_result(status, relay_result_type, encode_relay_result(ok));
        BOOST_TEST(!r.ok, status);
        BOOST_TEST(r.status == 502);
        BOOST_TEST(r.error_code == "bad_reply");
    }
    for (std::string body : {R"({"status":1000,"ok":true,"result":{}})", R"({"status":-1,"ok":false,"error":{}})",
                             R"({"status":18446744073709551615,"ok":true,"result":{}})"}) {
        auto r = decode_relay_result(200, relay_result_type, body);
        BOOST_TEST(!r.ok, body);
        BOOST_TEST(r.status == 502, body);
        BOOST_TEST(r.error_code == "bad_reply", body);
    }
    BOOST_TEST(decode_relay_result(200, relay_result_type, R"({"status":599,"ok":false,"error":{}})").status == 599);
}

BOOST_AUTO_TEST_CASE(command_ids_are_sixteen_hex_digits_and_never_repeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = new_command_id();
        BOOST_TEST(is_command_id(id), id);
        seen.insert(id);
    }
    BOOST_TEST(seen.size() == 1000u);
    BOOST_TEST(!is_command_id("0123456789ABCDEF"));
    BOOST_TEST(!is_command_id("0123"));
}
