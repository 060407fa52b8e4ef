// An io thread's loop that takes ready work in batches (issue #22). On a
// virtual machine a thread's wake-up can cost more than a sample's decode,
// and run() wakes once for nearly every agent frame at 2,000 agents. Here,
// when work comes closer together than `period`, the thread sleeps out the
// rest of the period after each batch and takes all that arrived meanwhile
// in one go. Work further apart is handled as run() would, at once, and an
// idle thread blocks, so a quiet hub costs nothing; a sample waits at most
// `period` longer before it is handled.
#pragma once

#include <chrono>

#include <boost/asio/io_context.hpp>

namespace telehub::hub {

// Runs `ioc` on this thread until it is stopped or out of work; a zero
// period is `ioc.run()`.
void batched_run(boost::asio::io_context& ioc, std::chrono::microseconds period);

}  // namespace telehub::hub
