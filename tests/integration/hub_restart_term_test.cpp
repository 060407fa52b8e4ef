// A hub stopped with SIGTERM saves every host's last points and comes back
// with the same history (tests/integration/hub_restart.hpp).
#define BOOST_TEST_MODULE hub_restart_term
#include "tests/integration/hub_restart.hpp"

BOOST_AUTO_TEST_CASE(sigterm_then_20_s_away_loses_and_repeats_nothing) { telehub::test::check_restart(SIGTERM); }
