#include "hub/control/control_request.hpp"

#define BOOST_TEST_MODULE control_request
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

using namespace telehub::hub;
using nlohmann::json;

namespace {

ControlRequest ok(std::string_view method, std::string_view target, std::string_view body = {}) {
    auto r = parse_control_request(method, target, body);
    if (auto* e = std::get_if<HttpReply>(&r)) BOOST_FAIL("refused: " << e->status << " " << e->body);
    return std::get<ControlRequest>(r);
}

HttpReply refused(std::string_view method, std::string_view target, std::string_view body = {}) {
    auto r = parse_control_request(method, target, body);
    BOOST_REQUIRE(std::holds_alternative<HttpReply>(r));
    return std::get<HttpReply>(r);
}

}  // namespace

BOOST_AUTO_TEST_CASE(routes_are_recognised) {
    BOOST_TEST(is_control_path("/api/hosts/web-1/ps"));
    BOOST_TEST(is_control_path("/api/hosts/web%201/users/alice/tasks"));
    BOOST_TEST(is_control_path("/api/hosts/a/sockets"));
    BOOST_TEST(is_control_path("/api/hosts/a/top"));
    BOOST_TEST(!is_control_path("/api/hosts/a/history"));
    BOOST_TEST(!is_control_path("/api/hosts/a"));
    BOOST_TEST(!is_control_path("/api/hosts//ps"));
    BOOST_TEST(is_control_path("/api/hosts/a%2Fb/ps"));  // host "a/b"
    BOOST_TEST(ok("GET", "/api/hosts/a%2Fb/ps", "").host_id == "a/b");
    BOOST_TEST(!is_control_path("/api/hosts/a/users//tasks"));
}

BOOST_AUTO_TEST_CASE(the_seed_s_requests_become_commands) {
    auto kill = ok("DELETE", "/api/hosts/web-1/ps", R"({"pid":"8802"})");
    BOOST_TEST(kill.host_id == "web-1");
    BOOST_TEST(kill.op == "signal");
    BOOST_TEST(!kill.query);
    BOOST_TEST(json::parse(kill.args_json) == json::parse(R"({"pid":8802,"signal":9})"));

    auto term = ok("DELETE", "/api/hosts/web-1/ps", R"({"pid":8802,"signal":"SIGTERM"})");
    BOOST_TEST(json::parse(term.args_json)["signal"] == 15);
    BOOST_TEST(json::parse(ok("DELETE", "/api/hosts/h/ps", R"({"pid":1,"signal":"hup"})").args_json)["signal"] == 1);
    BOOST_TEST(json::parse(ok("DELETE", "/api/hosts/h/ps", R"({"pid":1,"signal":"10"})").args_json)["signal"] == 10);

    auto renice = ok("PATCH", "/api/hosts/web-1/ps", R"({"pid":"8802","priority":10})");
    BOOST_TEST(renice.op == "renice");
    BOOST_TEST(json::parse(renice.args_json) == json::parse(R"({"pid":8802,"priority":10})"));
    BOOST_TEST(json::parse(ok("PATCH", "/api/hosts/h/ps", R"({"pid":5,"priority":"-20"})").args_json)["priority"] == -20);

    auto exec = ok("POST", "/api/hosts/web-1/ps", R"({"cmd":"echo","args":["hola"]})");
    BOOST_TEST(exec.op == "exec");
    BOOST_TEST(json::parse(exec.args_json) == json::parse(R"({"cmd":"echo","args":["hola"]})"));

    auto ps = ok("GET", "/api/hosts/web-1/ps");
    BOOST_TEST(ps.op == "ps");
    BOOST_TEST(ps.query);
    BOOST_TEST(ok("GET", "/api/hosts/web-1/users").op == "users");
    auto tasks = ok("GET", "/api/hosts/web-1/users/al%20ice/tasks");
    BOOST_TEST(tasks.op == "tasks");
    BOOST_TEST(json::parse(tasks.args_json)["username"] == "al ice");
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_400_naming_the_field) {
    for (auto body : {R"({"pid":"88a"})", R"({"pid":-3})", R"({"pid":1.5})", R"({"pid":true})", R"({"pid":null})",
                      R"({"signal":9})"}) {
        auto r = refused("DELETE", "/api/hosts/h/ps", body);
        BOOST_TEST(r.status == 400);
        BOOST_TEST(r.body.find("'pid'") != std::string::npos, body);
    }
    for (auto body : {R"({"pid":5,"priority":20})", R"({"pid":5,"priority":-21})", R"({"pid":5,"priority":"x"})",
                      R"({"pid":5})"}) {
        auto r = refused("PATCH", "/api/hosts/h/ps", body);
        BOOST_TEST(r.status == 400);
        BOOST_TEST(r.body.find("'priority'") != std::string::npos, body);
    }
    BOOST_TEST(refused("DELETE", "/api/hosts/h/ps", R"({"pid":5,"signal":"NOPE"})").body.find("'signal'") != std::string::npos);
    BOOST_TEST(refused("DELETE", "/api/hosts/h/ps", R"({"pid":5,"signal":65})").status == 400);
    BOOST_TEST(refused("POST", "/api/hosts/h/ps", R"({"cmd":""})").body.find("'cmd'") != std::string::npos);
    BOOST_TEST(refused("POST", "/api/hosts/h/ps", R"({"cmd":"ls","args":"-l"})").body.find("'args'") != std::string::npos);
    BOOST_TEST(refused("POST", "/api/hosts/h/ps", R"({"cmd":"ls","args":[1]})").body.find("'args'") != std::string::npos);
    auto notjson = refused("DELETE", "/api/hosts/h/ps", "pid=5");
    BOOST_TEST(notjson.status == 400);
    BOOST_TEST(notjson.body.find("bad_body") != std::string::npos);
    BOOST_TEST(refused("DELETE", "/api/hosts/h/ps", "[5]").status == 400);
    BOOST_TEST(refused("GET", "/api/hosts/h/top?n=0").body.find("'n'") != std::string::npos);
    BOOST_TEST(refused("GET", "/api/hosts/h/top?n=5x").status == 400);
    BOOST_TEST(refused("GET", "/api/hosts/h/sockets?format=xml").body.find("'format'") != std::string::npos);
}

// Numbers past 64 bits: JSON allows them, nlohmann reads one past INT64_MAX
// as unsigned and one past UINT64_MAX as a double. Neither may wrap into
// range (2^64 - 1 read as -1, a valid nice value) nor be cast to an integer
// it does not fit (undefined behaviour; found by tests/fuzz/rest_routes).
BOOST_AUTO_TEST_CASE(numbers_beyond_64_bits_are_400_not_wrapped) {
    for (auto body : {R"({"pid":5,"priority":18446744073709551615})", R"({"pid":5,"priority":18446744073709551596})",
                      R"({"pid":5,"priority":9223372036854775808})", R"({"pid":5,"priority":1e300})",
                      R"({"pid":5,"priority":-1e300})", R"({"pid":5,"priority":-9223372036854775809})"}) {
        auto r = refused("PATCH", "/api/hosts/h/ps", body);
        BOOST_TEST(r.status == 400);
        BOOST_TEST(r.body.find("'priority'") != std::string::npos, body);
    }
    for (auto body : {R"({"pid":1222222222222222222222222222222222})", R"({"pid":18446744073709551615})",
                      R"({"pid":9223372036854775808})", R"({"pid":1e19})"}) {
        auto r = refused("DELETE", "/api/hosts/h/ps", body);
        BOOST_TEST(r.status == 400);
        BOOST_TEST(r.body.find("'pid'") != std::string::npos, body);
    }
    // Whole numbers written as floats are still taken.
    BOOST_TEST(json::parse(ok("PATCH", "/api/hosts/h/ps", R"({"pid":5.0,"priority":-2e1})").args_json)["priority"] == -20);
}

BOOST_AUTO_TEST_CASE(wrong_methods_are_405_with_allow) {
    auto r = refused("PUT", "/api/hosts/h/ps");
    BOOST_TEST(r.status == 405);
    BOOST_TEST(r.allow == "GET, POST, DELETE, PATCH");
    BOOST_TEST(refused("DELETE", "/api/hosts/h/users").allow == "GET");
}

BOOST_AUTO_TEST_CASE(reports_are_downloads_and_csv_is_the_agent_s_text) {
    auto csv = ok("GET", "/api/hosts/web%3A1x/sockets?format=csv");
    BOOST_TEST(csv.format == "csv");
    RelayResult r;
    r.ok = true;
    r.result_json = R"({"format":"csv","text":"\"pid\",\"laddr\",\"raddr\",\"status\"\n"})";
    auto reply = control_reply(csv, r);
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.content_type.find("text/csv") == 0u);
    BOOST_TEST(reply.body == "\"pid\",\"laddr\",\"raddr\",\"status\"\n");
    BOOST_REQUIRE(reply.headers.size() == 1u);
    BOOST_TEST(reply.headers[0].second == "attachment; filename=\"web_1x-sockets.csv\"");

    auto top = ok("GET", "/api/hosts/h/top?n=3");
    BOOST_TEST(json::parse(top.args_json) == json::parse(R"({"n":3,"format":"json"})"));
    r.result_json = R"({"format":"json","processes":[]})";
    auto tj = control_reply(top, r);
    BOOST_TEST(tj.body == r.result_json);
    BOOST_TEST(tj.headers.at(0).second == "attachment; filename=\"h-top.json\"");

    r.result_json = R"({"format":"json"})";
    BOOST_TEST(control_reply(csv, r).status == 502);
}

BOOST_AUTO_TEST_CASE(agent_errors_keep_their_code_and_status) {
    RelayResult r;
    r.ok = false;
    r.status = 403;
    r.error_code = "refused";
    r.error_message = "pid 1 is never signalled";
    auto reply = control_reply(ok("DELETE", "/api/hosts/h/ps", R"({"pid":1})"), r);
    BOOST_TEST(reply.status == 403);
    auto j = json::parse(reply.body);
    BOOST_TEST(j["error"]["code"] == "refused");
    BOOST_TEST(j["error"]["message"] == "pid 1 is never signalled");
}

BOOST_AUTO_TEST_CASE(signal_names) {
    BOOST_TEST(*signal_number("KILL") == 9);
    BOOST_TEST(*signal_number("sigterm") == 15);
    BOOST_TEST(*signal_number("SIGCONT") == 18);
    BOOST_TEST(*signal_number("2") == 2);
    BOOST_TEST(!signal_number("SIG"));
    BOOST_TEST(!signal_number("BOGUS"));
}
