// A hub killed with SIGKILL comes back with what its store had committed; the
// welcome's last_seq makes the agents replay the rest exactly once
// (tests/integration/hub_restart.hpp).
#define BOOST_TEST_MODULE hub_restart_kill
#include "tests/integration/hub_restart.hpp"

BOOST_AUTO_TEST_CASE(sigkill_then_20_s_away_loses_and_repeats_nothing) { telehub::test::check_restart(SIGKILL); }
