#include "agent/stream_loop.hpp"

#define BOOST_TEST_MODULE stream_loop
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace telehub::agent;

namespace {

// Runs run_stream(o) in a child, sends it `sig` after `after`, and says
// whether it exited within `deadline` (a child that did not is killed).
bool stops_on(int sig, const AgentOptions& o, std::chrono::milliseconds after, std::chrono::seconds deadline) {
    pid_t child = ::fork();
    if (child == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::_exit(run_stream(o));
    }
    BOOST_REQUIRE(child > 0);
    std::this_thread::sleep_for(after);
    ::kill(child, sig);
    const auto until = std::chrono::steady_clock::now() + deadline;
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
        if (::waitpid(child, &status, WNOHANG) == child) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    return false;
}

}  // namespace

// A tick that is already due when SIGTERM arrives must not re-arm the timer:
// with a hub, stop() leaves the io_context to drain, and a re-armed timer kept
// the agent sampling forever with its signal handler gone. A zero interval
// (validation refuses it; NaN became one) makes every tick due at once.
BOOST_AUTO_TEST_CASE(stops_on_sigterm_and_sigint_with_a_tick_due) {
    AgentOptions o;
    o.interval_s = 0;
    o.hub_url = "ws://127.0.0.1:1/ws/agent";  // refused: the client waits in its backoff
    o.host_id = "stream-loop-test";
    o.format = "text";
    for (int sig : {SIGTERM, SIGINT})
        BOOST_TEST(stops_on(sig, o, std::chrono::milliseconds(300), std::chrono::seconds(5)), "signal " << sig);
}

BOOST_AUTO_TEST_CASE(stops_on_sigterm_at_the_normal_rate) {
    AgentOptions o;
    o.interval_s = 0.05;
    o.hub_url = "ws://127.0.0.1:1/ws/agent";
    o.host_id = "stream-loop-test";
    o.format = "text";
    BOOST_TEST(stops_on(SIGTERM, o, std::chrono::milliseconds(300), std::chrono::seconds(5)));
}
