// The state file: what goes in comes back, and what is not ours is refused.
#include "hub/notify/notify.hpp"

#define BOOST_TEST_MODULE notify_state
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

BOOST_AUTO_TEST_CASE(round_trips) {
    NotifyState s;
    s.alerts.push_back({"busy-loop", "[[rule]]\nname = \"busy-loop\"\n", "web-1", "web-1.example", AlertState::firing, 97.5,
                        1000, 4000, 9000});
    s.alerts.push_back({"mem", "x", "db-1", "", AlertState::pending, 3, 2000, 0, 9000});
    Silence x;
    x.id = 7;
    x.rule = "busy-*";
    x.until_ms = 99'000;
    x.comment = "deploy \"v2\"\n";
    x.created_by = "ops";
    x.created_ms = 5000;
    s.silences.push_back(x);
    s.notified.push_back({"busy-loop", "web-1", "web-1.example"});
    s.outbox.push_back({"ops", "firing: busy-loop [critical] on web-1", R"({"version":1})", 3, 4100, "connecting: refused"});
    std::string error;
    auto back = parse_notify_state(notify_state_json(s), error);
    BOOST_TEST_REQUIRE(back.has_value(), error);
    BOOST_TEST((*back == s));
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_a_state_file) {
    std::string error;
    BOOST_TEST(!parse_notify_state("[1,2]", error).has_value());
    BOOST_TEST(error == "not JSON");
    BOOST_TEST(!parse_notify_state(R"({"version":2})", error).has_value());
    BOOST_TEST(error.find("version 2") != std::string::npos, error);
    BOOST_TEST(!parse_notify_state(R"({"version":1,"alerts":[{"rule":3}],"silences":[],"notified":[],"outbox":[]})", error)
                    .has_value());
    BOOST_TEST(error.find("missing or of the wrong type") != std::string::npos, error);
}
