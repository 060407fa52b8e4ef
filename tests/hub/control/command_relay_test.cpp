#include "hub/control/command_relay.hpp"

#define BOOST_TEST_MODULE command_relay
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "telehub/command.hpp"

using namespace telehub;
using namespace telehub::hub;
using nlohmann::json;

namespace {

struct FakeAgent : AgentLink {
    std::vector<std::string> sent;
    void replace() override {}
    void shutdown() override {}
    void send_command(std::string frame) override { sent.push_back(std::move(frame)); }
    void close_if_idle(std::int64_t, std::int64_t) override {}
    void recheck_credential() override {}
    std::string last_id() const { return json::parse(sent.back())["id"]; }
};

struct Fixture {
    boost::asio::io_context ioc;
    AgentDirectory dir;
    std::shared_ptr<FakeAgent> agent = std::make_shared<FakeAgent>();
    CommandRelay relay{dir, std::chrono::milliseconds(200), 2};
    std::vector<RelayResult> results;

    Fixture() {
        dir.add(7, agent);
        dir.claim("web-1", 7);
    }
    void send(const std::string& host = "web-1", const std::string& op = "signal",
              const std::string& args = R"({"pid":5,"signal":9})") {
        relay.send(ioc.get_executor(), host, op, args, [this](RelayResult r) { results.push_back(std::move(r)); });
    }
    void run() {
        ioc.restart();
        ioc.run_for(std::chrono::seconds(5));
    }
};

CommandReply reply_ok(std::string id) { return {std::move(id), true, R"({"pid":5})", "", ""}; }

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_reply_completes_its_command_once, Fixture) {
    send();
    BOOST_REQUIRE(agent->sent.size() == 1u);
    auto frame = json::parse(agent->sent[0]);
    BOOST_TEST(frame["type"] == "command");
    BOOST_TEST(frame["op"] == "signal");
    BOOST_TEST(frame["timeout_ms"] == 200);
    BOOST_TEST(frame["args"]["pid"] == 5);
    BOOST_TEST(relay.on_reply(7, reply_ok(agent->last_id())));
    BOOST_TEST(!relay.on_reply(7, reply_ok(agent->last_id())));  // a second reply changes nothing
    run();
    BOOST_REQUIRE(results.size() == 1u);
    BOOST_TEST(results[0].ok);
    BOOST_TEST(results[0].status == 200);
    BOOST_TEST(results[0].result_json == R"({"pid":5})");
    BOOST_TEST(relay.pending() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_reply_from_another_connection_is_ignored, Fixture) {
    send();
    BOOST_TEST(!relay.on_reply(8, reply_ok(agent->last_id())));
    BOOST_TEST(relay.pending() == 1u);
}

BOOST_FIXTURE_TEST_CASE(no_reply_is_504_at_the_deadline_and_a_late_reply_is_dropped, Fixture) {
    // The clock starts before send(), which arms the deadline timer: started after it, the time
    // send() itself takes (long under a sanitizer) is missing from the elapsed reading.
    auto start = std::chrono::steady_clock::now();
    send();
    auto id = agent->last_id();
    run();
    BOOST_REQUIRE(results.size() == 1u);
    BOOST_TEST(results[0].status == 504);
    BOOST_TEST(results[0].error_code == "agent_timeout");
    BOOST_TEST((std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(200)));
    BOOST_TEST(!relay.on_reply(7, reply_ok(id)));
    // A signal may have been sent all the same; a listing changed nothing, so its message does not say so.
    BOOST_TEST(results[0].error_message.find("may still have acted") != std::string::npos, results[0].error_message);
    send("web-1", "ps", "{}");
    run();
    BOOST_REQUIRE(results.size() == 2u);
    BOOST_TEST(results[1].error_code == "agent_timeout");
    BOOST_TEST(results[1].error_message.find("did not answer within 200 ms") != std::string::npos, results[1].error_message);
    BOOST_TEST(results[1].error_message.find("acted") == std::string::npos, results[1].error_message);
}

BOOST_FIXTURE_TEST_CASE(agent_errors_map_to_statuses, Fixture) {
    send();
    BOOST_TEST(relay.on_reply(7, {agent->last_id(), false, "", "no_such_process", "no process 5"}));
    run();
    BOOST_TEST(results.at(0).status == 404);
    BOOST_TEST(results.at(0).error_message == "no process 5");
}

BOOST_FIXTURE_TEST_CASE(offline_hosts_disconnects_and_limits, Fixture) {
    send("other-host");
    send();
    send();
    send();  // the third waiting on web-1: over the limit of 2
    relay.on_disconnect(7);
    run();
    BOOST_REQUIRE(results.size() == 4u);
    std::vector<int> statuses;
    for (auto& r : results) statuses.push_back(r.status);
    std::sort(statuses.begin(), statuses.end());
    BOOST_TEST((statuses == std::vector<int>{409, 502, 502, 503}));
    BOOST_TEST(relay.pending() == 0u);
}
