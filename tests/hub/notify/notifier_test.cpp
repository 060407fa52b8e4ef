// The notifier on its own thread with command notifications (a shell that
// appends its stdin to a file), so what was sent is read back exactly: which
// changes become notices and which do not (backfill, silences, alerts the
// receivers already know of), a failing and a hanging command retried until
// given up, and the state file carrying undelivered notices and alert states
// across a restart.
#include "hub/notify/notify.hpp"

#define BOOST_TEST_MODULE notifier
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

using namespace telehub::hub;
using namespace std::chrono_literals;
using json = nlohmann::json;
using telehub::test::TempDir;
using telehub::test::wait_until;

namespace {

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Rules with one command notification `out` whose program is `command`.
// The timeout has room for a shell on a loaded machine, unless a test is about timeouts.
RulesParse rules_with(const std::string& command, double group_s = 0, int timeout_s = 10, int retry_for_s = 20) {
    std::string text = "[[notification]]\nname = \"out\"\ntype = \"command\"\ncommand = [\"/bin/sh\", \"-c\", " +
                       json(command).dump() + "]\ntimeout = " + std::to_string(timeout_s) + "\nretry_for = " +
                       std::to_string(retry_for_s) + "\nretry_max_delay = 1\n" +
                       "\n[[rule]]\nname = \"cpu\"\nmetric = \"cpu.total\"\nthreshold = 90\nclear = 80\nnotify = [\"out\"]\n"
                       "group = " + std::to_string(group_s) + "\n";
    RulesParse p = parse_rules(text, "test rules");
    BOOST_REQUIRE_MESSAGE(p.ok(), p.error);
    return p;
}

telehub::Sample sample(const std::string& host, std::int64_t ts_ms, double cpu, bool backfill = false) {
    telehub::Sample s;
    s.host_id = host;
    s.ts_ms = ts_ms;
    s.backfill = backfill;
    s.cpu.total = cpu;
    telehub::TopProcess p;
    p.pid = 99;
    p.name = "spin";
    p.cpu = cpu;
    s.top = {p};
    return s;
}

// Lines of the file the command appends each body to: one JSON body a line.
std::vector<json> bodies(const std::string& file) {
    std::ifstream in(file);
    std::vector<json> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

struct Rig {
    TempDir dir{"telehub-notifier"};
    std::string state_file = dir.str() + "/alerts.json";
    std::vector<std::string> log;
    std::mutex log_mu;
    AlertBook book;
    SilenceBook silences;
    std::unique_ptr<Notifier> notifier;

    explicit Rig(RulesParse rules, bool keep_state = false, std::int64_t started_ms = 0)
        : book(std::move(rules), "") {
        start(keep_state, started_ms);
    }
    void start(bool keep_state, std::int64_t started_ms) {
        NotifierOptions o;
        o.hub_name = "test-hub";
        o.started_ms = started_ms;
        if (keep_state) o.state_file = state_file;
        notifier = std::make_unique<Notifier>(book, silences, o, [this](const std::string& m) {
            std::lock_guard lock(log_mu);
            log.push_back(m);
        });
        notifier->start();
    }
    void feed(const std::string& host, std::int64_t ts_ms, double cpu, bool backfill = false) {
        std::vector<AlertEvent> events;
        book.on_sample(host + ".example", sample(host, ts_ms, cpu, backfill), events);
        notifier->submit(events);
    }
    std::string logged() {
        std::lock_guard lock(log_mu);
        std::string all;
        for (auto& l : log) all += l + "\n";
        return all;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(one_notice_per_change_grouped_and_never_for_backfill_or_silenced) {
    TempDir d("telehub-notifier");
    const std::string file = d.str() + "/bodies";
    Rig rig(rules_with("cat >> " + file + "; echo >> " + file, 1));
    const std::int64_t t = wall_ms();
    // Two hosts fire within the group window: one notice naming both.
    rig.feed("web-1", t, 95);
    rig.feed("web-2", t + 100, 97);
    rig.feed("web-1", t + 500, 96);  // still firing: nothing new
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return bodies(file).size() == 1u; }, 5s, 20ms), rig.logged());
    json first = bodies(file)[0];
    BOOST_TEST(first["status"] == "firing");
    BOOST_TEST(first["hosts"] == json({"web-1", "web-2"}));
    BOOST_TEST(first["alerts"][0]["culprit"]["top_cpu"][0]["name"] == "spin");
    BOOST_TEST(first["hub"] == "test-hub");

    // A backfilled episode on web-3 that ended in the past: history, no notice.
    rig.feed("web-3", t - 60'000, 95, true);
    rig.feed("web-3", t - 59'000, 10, true);
    // web-2 silenced: its resolution notifies nobody; web-1's does.
    Silence s;
    s.host = "web-2";
    s.until_ms = t + 60'000;
    BOOST_REQUIRE(rig.silences.add(s, t).has_value());
    rig.feed("web-1", t + 1000, 10);
    rig.feed("web-2", t + 1000, 10);
    BOOST_REQUIRE(wait_until([&] { return bodies(file).size() == 2u; }, 5s, 20ms));
    BOOST_REQUIRE(wait_until([&] { return rig.notifier->counters().silenced == 1u; }, 5s, 20ms));
    json second = bodies(file)[1];
    BOOST_TEST(second["status"] == "resolved");
    BOOST_TEST(second["hosts"] == json({"web-1"}));
    // A silenced firing: its resolution later is not sent either, silence or not.
    rig.feed("web-2", t + 2000, 99);
    BOOST_REQUIRE(wait_until([&] { return rig.notifier->counters().silenced == 2u; }, 5s, 20ms));
    rig.silences.remove(1);
    rig.feed("web-2", t + 3000, 10);
    // A fresh firing on web-1 after that is sent: it proves the queue moved past web-2's resolution.
    rig.feed("web-1", t + 3000, 99);
    BOOST_REQUIRE(wait_until([&] { return bodies(file).size() == 3u; }, 5s, 20ms));
    BOOST_TEST(bodies(file)[2]["hosts"] == json({"web-1"}));
    BOOST_TEST(bodies(file)[2]["status"] == "firing");
    BOOST_TEST(wait_until([&] { return rig.notifier->counters().sent == 3u; }, 5s, 20ms));
}

BOOST_AUTO_TEST_CASE(a_backfilled_firing_still_firing_is_sent_unless_it_predates_the_hub) {
    TempDir d("telehub-notifier");
    const std::string file = d.str() + "/bodies";
    const std::int64_t t = wall_ms();
    // Hub started at t: an episode that fired at t - 30 s was the previous run's to tell.
    Rig rig(rules_with("cat >> " + file + "; echo >> " + file), false, t);
    rig.feed("old", t - 30'000, 95, true);
    rig.feed("old", t + 1000, 95);
    // One that fired in backfill after this hub started (an agent catching up): sent at its first live sample.
    rig.feed("new", t + 500, 95, true);
    rig.feed("new", t + 1000, 95);
    BOOST_REQUIRE(wait_until([&] { return bodies(file).size() == 1u; }, 5s, 20ms));
    BOOST_TEST(bodies(file)[0]["hosts"] == json({"new"}));
    BOOST_REQUIRE(wait_until([&] { return rig.logged().find("not notifying cpu on 'old'") != std::string::npos; }, 5s, 20ms));
}

BOOST_AUTO_TEST_CASE(failing_and_hanging_commands_are_retried_then_failed) {
    Rig failing(rules_with("cat > /dev/null; echo 'no route to pager' >&2; exit 3", 0, 10, 2));
    failing.feed("h", wall_ms(), 95);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return failing.notifier->counters().failed == 1u; }, 10s, 50ms), failing.logged());
    auto d = failing.notifier->deliveries();
    BOOST_TEST_REQUIRE(d.size() == 1u);
    BOOST_TEST(d[0].status == "failed");
    BOOST_TEST(d[0].attempts >= 2);  // 0 s, 1 s, then the deadline at 2 s (fewer is a slow shell)
    BOOST_TEST(d[0].last_error == "exited with status 3: no route to pager");
    BOOST_TEST(failing.logged().find("notification FAILED: firing: cpu [warning] on h to 'out'") != std::string::npos,
               failing.logged());

    Rig hanging(rules_with("sleep 30", 0, 1, 2));
    hanging.feed("h", wall_ms(), 95);
    BOOST_REQUIRE(wait_until([&] { return !hanging.notifier->deliveries().empty() &&
                                          hanging.notifier->deliveries()[0].attempts >= 1 &&
                                          !hanging.notifier->deliveries()[0].last_error.empty(); },
                             10s, 50ms));
    BOOST_TEST(hanging.notifier->deliveries()[0].last_error == "killed after its timeout of 1000 ms");
}

BOOST_AUTO_TEST_CASE(the_state_file_keeps_states_silences_and_undelivered_notices) {
    TempDir d("telehub-notifier");
    const std::string file = d.str() + "/bodies";
    const std::string gate = d.str() + "/receiver-up";
    // Delivers only once `gate` exists: until then the notice stays undelivered.
    const std::string command = "test -e " + gate + " || exit 1; cat >> " + file + "; echo >> " + file;
    Rig rig(rules_with(command), true);
    const std::int64_t t = wall_ms();
    Silence s;
    s.rule = "disk-*";
    s.until_ms = t + 600'000;
    s.comment = "kept";
    BOOST_REQUIRE(rig.silences.add(s, t).has_value());
    rig.feed("web-1", t, 95);
    BOOST_REQUIRE(wait_until([&] { return !rig.notifier->deliveries().empty() && rig.notifier->deliveries()[0].attempts >= 1; },
                             5s, 20ms));
    rig.notifier->stop();
    BOOST_TEST(bodies(file).empty());

    // A new notifier on the same file, as after a restart: the firing state
    // is back (no second firing), the silence too, and the notice goes out
    // once the receiver is up.
    AlertBook book(rules_with(command), "");
    SilenceBook silences;
    NotifierOptions o;
    o.state_file = rig.state_file;
    o.started_ms = wall_ms();
    std::vector<std::string> log;
    Notifier again(book, silences, o, [&](const std::string& m) { log.push_back(m); });
    BOOST_TEST(again.restored_alerts() == 1u);
    BOOST_TEST_REQUIRE(book.active().size() == 1u);
    BOOST_TEST((book.active()[0].state == AlertState::firing));
    BOOST_TEST_REQUIRE(silences.all().size() == 1u);
    BOOST_TEST(silences.all()[0].comment == "kept");
    std::ofstream(gate) << "up";
    again.start();
    std::vector<AlertEvent> events;
    book.on_sample("web-1.example", sample("web-1", t + 2000, 96), events);
    BOOST_TEST(events.empty(), "the restored firing alert fired again");
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return bodies(file).size() == 1u; }, 10s, 20ms), rig.logged());
    BOOST_TEST(bodies(file)[0]["status"] == "firing");
    // Its resolution is sent too: the receiver was told it fired.
    book.on_sample("web-1.example", sample("web-1", t + 3000, 10), events);
    again.submit(events);
    BOOST_REQUIRE(wait_until([&] { return bodies(file).size() == 2u; }, 10s, 20ms));
    BOOST_TEST(bodies(file)[1]["status"] == "resolved");
}
