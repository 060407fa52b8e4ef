#include "telehub/command.hpp"

#define BOOST_TEST_MODULE command
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

using namespace telehub;
using nlohmann::json;

BOOST_AUTO_TEST_CASE(a_command_round_trips_with_its_args) {
    Command c{"c-12", "signal", R"({"pid":8802,"signal":9})", 5000};
    auto frame = encode_command(c);
    auto j = json::parse(frame);
    BOOST_TEST(j["type"] == "command");
    BOOST_TEST(j["args"]["pid"] == 8802);
    auto back = decode_command(frame);
    BOOST_REQUIRE(std::holds_alternative<Command>(back));
    auto& d = std::get<Command>(back);
    BOOST_TEST(d.id == "c-12");
    BOOST_TEST(d.op == "signal");
    BOOST_TEST(d.timeout_ms == 5000);
    BOOST_TEST(json::parse(d.args_json) == json::parse(c.args_json));
}

BOOST_AUTO_TEST_CASE(a_bad_command_names_the_field) {
    auto code_of = [](std::string_view text) {
        auto r = decode_command(text);
        BOOST_REQUIRE(std::holds_alternative<CodecError>(r));
        return std::get<CodecError>(r);
    };
    BOOST_TEST(code_of("{nope").code == "bad_json");
    BOOST_TEST(code_of("[]").code == "wrong_type");
    BOOST_TEST(code_of(R"({"type":"command","op":"ps"})").message.find("'id'") != std::string::npos);
    BOOST_TEST(code_of(R"({"type":"command","id":"a","op":3})").code == "wrong_type");
    BOOST_TEST(code_of(R"({"type":"command","id":"a","op":"ps","args":[1]})").message.find("'args'") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(replies_decode_on_the_hub_with_result_or_error) {
    FrameDecoder dec;
    AgentFrame out;
    BOOST_REQUIRE(!dec.decode(encode_reply_ok("c-1", R"({"pid": 77, "name":"sleep"})"), out));
    BOOST_TEST((out.kind == FrameKind::reply));
    BOOST_TEST(out.reply.id == "c-1");
    BOOST_TEST(out.reply.ok);
    BOOST_TEST(json::parse(out.reply.result_json) == json::parse(R"({"pid":77,"name":"sleep"})"));

    BOOST_REQUIRE(!dec.decode(encode_reply_error("c-2", "no_such_process", "no process 9"), out));
    BOOST_TEST(!out.reply.ok);
    BOOST_TEST(out.reply.error_code == "no_such_process");
    BOOST_TEST(out.reply.error_message == "no process 9");
    BOOST_TEST(out.reply.result_json.empty());
}

BOOST_AUTO_TEST_CASE(a_malformed_reply_is_refused_naming_the_field) {
    FrameDecoder dec;
    AgentFrame out;
    auto err = dec.decode(R"({"type":"reply","id":"c-1","ok":true})", out);
    BOOST_REQUIRE(err);
    BOOST_TEST(err->message.find("'result'") != std::string::npos);
    err = dec.decode(R"({"type":"reply","id":"c-1","ok":false,"error":{"code":"x"}})", out);
    BOOST_REQUIRE(err);
    BOOST_TEST(err->message.find("'error.message'") != std::string::npos);
    err = dec.decode(R"({"type":"reply","id":7,"ok":true,"result":1})", out);
    BOOST_REQUIRE(err);
    BOOST_TEST(err->code == "wrong_type");
}

BOOST_AUTO_TEST_CASE(error_codes_map_to_statuses) {
    BOOST_TEST(reply_error_status("permission_denied") == 403);
    BOOST_TEST(reply_error_status("no_such_process") == 404);
    BOOST_TEST(reply_error_status("refused") == 403);
    BOOST_TEST(reply_error_status("not_allowed") == 403);
    BOOST_TEST(reply_error_status("bad_argument") == 400);
    BOOST_TEST(reply_error_status("something_new") == 502);
}
